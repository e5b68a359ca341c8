/**
 * The `redact` setting (docs/redaction.md). Its type is `RedactOptions`, which the redactor
 * (src/internal/redact.ts) declares; the shape below has exactly its keys.
 */
import { parsePath, type RedactOptions } from "../redact.js"
import { by, type Check, object, type ShapeOf, fields as shared, stringList } from "./shape.js"

/** Paths such as `password`, `headers.authorization`, `*.token`, `users[*].email`. */
export const paths: Check<ReadonlyArray<string>> = (v, at, issues) => {
  const list = stringList(v, at, issues)
  if (list === undefined) return undefined
  const before = issues.length
  list.forEach((p, i) => {
    try {
      parsePath(p)
    } catch (e) {
      issues.push({ path: `${at}[${i}]`, message: (e as Error).message })
    }
  })
  return issues.length > before ? undefined : list
}

const redact = {
  paths,
  keys: stringList,
  censor: by(shared.text),
  remove: by(shared.flag),
  urls: by(shared.flag),
  failClosed: by(shared.flag)
} satisfies ShapeOf<RedactOptions>

const redactSetting: Check<RedactOptions> = object(redact, "a redact setting")

export const shape = {
  /** What is censored or removed from events before they are written. */
  redact: redactSetting
}
