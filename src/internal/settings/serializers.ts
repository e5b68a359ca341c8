/**
 * The `serializers` setting (docs/settings.md#serializers): a function per top-level key,
 * applied to its value at the call (serializers.ts). Functions, so code only: a config file
 * or the environment cannot give one.
 */
import { show } from "../configSchema.js"
import type { SerializerTable } from "../serializers.js"
import { check, isRecord } from "./shape.js"

const serializers = check<SerializerTable>((v, at, issues) => {
  if (!isRecord(v)) {
    issues.push({
      path: at,
      message: `${show(v)} is not an object of functions ({ key: (value) => logged }); serializers are set in code only`
    })
    return undefined
  }
  const before = issues.length
  for (const [k, f] of Object.entries(v))
    if (typeof f !== "function")
      issues.push({
        path: `${at}.${k}`,
        message: `${show(f)} is not a function (value) => logged; serializers are set in code only`
      })
  return issues.length > before ? undefined : (v as SerializerTable)
})

export const shape = {
  /**
   * A function per top-level key of the fields (`{ req: (req) => ({ method: req.method }) }`,
   * as pino's `serializers`): applied to that key's value on the caller's side at the call,
   * before capture and redaction, on call fields, child bindings, `withContext` fields and
   * Effect annotations. A serializer that throws logs "[Serializer threw: …]" in place of the
   * value and is reported in diagnostics. Code only.
   */
  serializers
}
