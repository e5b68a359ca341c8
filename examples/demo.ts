/**
 * `npm run demo`: runs the Promise example, then the Effect example (their JSON lines go to
 * stdout), then prints on stderr how many lines each log file holds and whether every line
 * decodes as a fapilog event.
 */
import * as fs from "node:fs"
import { Either } from "effect"
import { LogEvent } from "fapilog"

await import("./promise-app.js")
await import("./effect-app.js")

const summarize = (file: string): string => {
  const lines = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
  const valid = lines.filter((line) => Either.isRight(LogEvent.fromJsonLine(line))).length
  return `  ${file}: ${lines.length} lines, ${valid} valid fapilog events`
}

process.stderr.write(
  `\nfapilog demo done\n${summarize("logs/promise-app.log")}\n${summarize("logs/effect-app.log")}\n`
)
