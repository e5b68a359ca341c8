/**
 * Every top-level setting, family by family, in the order they are checked and listed; the
 * `Settings` type (what code writes) and `ValidSettings` (what one checked source holds) are
 * derived from this one table.
 */
import { show } from "../configSchema.js"
import * as compliance from "./compliance.js"
import * as enrichment from "./enrichment.js"
import * as logger from "./logger.js"
import * as plugins from "./plugins.js"
import * as presets from "./presets.js"
import * as processors from "./processors.js"
import * as redaction from "./redaction.js"
import * as reliability from "./reliability.js"
import * as serializers from "./serializers.js"
import {
  by,
  type CheckedObject,
  checkKeys,
  type Issues,
  isRecord,
  fields as shared,
  type WrittenObject
} from "./shape.js"
import * as sinks from "./sinks.js"

/** The keys that choose the sources below the code; `preset` is in presets.ts. */
const sources = {
  /** A YAML or JSON file of settings (read by file.ts); `FAPILOG_CONFIG` in the environment. */
  configFile: by(shared.filePath)
}

// spelt out as a type so that declarations keep each family's documentation
type Top = typeof logger.shape &
  typeof sinks.shape &
  typeof reliability.shape &
  typeof enrichment.shape &
  typeof plugins.shape &
  typeof processors.shape &
  typeof redaction.shape &
  typeof serializers.shape &
  typeof presets.shape &
  typeof compliance.shape &
  typeof sources

const top: Top = {
  ...logger.shape,
  ...sinks.shape,
  ...reliability.shape,
  ...enrichment.shape,
  ...plugins.shape,
  ...processors.shape,
  ...redaction.shape,
  ...serializers.shape,
  ...presets.shape,
  ...compliance.shape,
  ...sources
}

/** Settings as code writes them; every key is optional. */
export type Settings = WrittenObject<Top>

/** One source of settings after its check: only the keys it set, each valid. */
export type ValidSettings = CheckedObject<Top>

export const settingKeys: ReadonlyArray<string> = Object.keys(top)

const unknownKey = `is not a setting; accepted: ${settingKeys.join(", ")}`

/** The schema of each scalar setting, with its description. */
export const fields = {
  ...shared,
  ...logger.fields,
  ...sinks.fields,
  ...reliability.fields,
  ...enrichment.fields,
  ...processors.fields,
  ...presets.fields,
  ...compliance.fields
}

/**
 * Checks one source of settings; every problem is reported with its path (after `prefix`,
 * such as `fapilog.yaml: `), not only the first. `failed` receives the keys with problems.
 */
export const validate = (
  input: unknown,
  issues: Issues,
  prefix = "",
  failed?: Set<string> | undefined
): ValidSettings => {
  if (input === undefined) return {}
  if (!isRecord(input)) {
    issues.push({
      path: prefix === "" ? "settings" : prefix,
      message: `${show(input)} is not a settings object`
    })
    return {}
  }
  const before = issues.length
  const out = checkKeys(top, input, (k) => `${prefix}${k}`, unknownKey, issues)
  if (failed !== undefined && issues.length > before)
    for (const issue of issues.slice(before)) failed.add(keyOf(issue.path.slice(prefix.length)))
  return out as ValidSettings
}

/** The top-level key of a path such as `sinks[1].path`. */
const keyOf = (path: string): string => /^[^.[]*/.exec(path)?.[0] ?? path
