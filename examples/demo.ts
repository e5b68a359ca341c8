/**
 * `npm run demo`: runs the four examples in turn (their lines go to stdout and, for errors
 * of the configured Promise app, stderr), then prints on stderr how many lines each log
 * file holds and whether every line is what its format promises.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { Either } from "effect"
import { LogEvent } from "fapilog"
import logfmt from "logfmt"

await import("./promise-app.js")
await import("./effect-app.js")
await import("./configured-promise-app.js")
await import("./configured-effect-app.js")

const linesOf = (file: string): ReadonlyArray<string> => {
  const raw = fs.readFileSync(file)
  const text = file.endsWith(".gz") ? zlib.gunzipSync(raw).toString("utf8") : raw.toString("utf8")
  return text.split("\n").filter((line) => line !== "")
}

/** The active file and its rotated files (`<file>.<time>[_<n>][.gz]`), oldest first. */
const withRotated = (file: string): ReadonlyArray<string> => {
  const dir = path.dirname(file)
  const prefix = `${path.basename(file)}.`
  const rotated = fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => path.join(dir, name))
  return [...rotated, file]
}

const isJsonEvent = (line: string): boolean => Either.isRight(LogEvent.fromJsonLine(line))

const isLogfmtEvent = (line: string): boolean => {
  const pairs = logfmt.parse(line)
  return typeof pairs.timestamp === "string" && typeof pairs.level === "string" && "message" in pairs
}

const isEcsEvent = (line: string): boolean => {
  try {
    const event = JSON.parse(line) as Record<string, unknown>
    return typeof event["@timestamp"] === "string" && typeof event["log.level"] === "string"
  } catch {
    return false
  }
}

const summarize = (file: string, what: string, valid: (line: string) => boolean): string => {
  const files = withRotated(file)
  const lines = files.flatMap(linesOf)
  const count = lines.filter(valid).length
  const across = files.length > 1 ? ` across ${files.length} files` : ""
  return `  ${file}: ${lines.length} lines${across}, ${count} valid ${what}`
}

process.stderr.write(
  [
    "",
    "fapilog demo done",
    summarize("logs/promise-app.log", "fapilog events", isJsonEvent),
    summarize("logs/effect-app.log", "fapilog events", isJsonEvent),
    summarize("logs/configured-promise-app.log", "logfmt events", isLogfmtEvent),
    summarize("logs/configured-effect-app.log", "ECS events", isEcsEvent),
    ""
  ].join("\n")
)
