/**
 * The console sink: each event as one JSON line, through the console method of its level
 * (`console.debug` for trace and debug, `console.info`, `console.warn`, `console.error` for
 * error and above), so a browser's or an edge runtime's console filters them by severity.
 */
import type { Formatter } from "../Formatter.js"
import type { Sink } from "../Sink.js"
import { json } from "./formatter.js"
import type { LevelName } from "./level.js"
import { type FormatOptions, makeSync } from "./sink.js"

type Method = "debug" | "info" | "warn" | "error"

const methods: Readonly<Record<LevelName, Method>> = {
  trace: "debug",
  debug: "debug",
  info: "info",
  warn: "warn",
  error: "error",
  fatal: "error",
  audit: "info",
  security: "warn"
}

const methodOf = (level: unknown): Method =>
  (methods as Record<string, Method | undefined>)[String(level)] ?? "info"

/** Writes each event of a batch with the console method of its level. */
export const consoleSink = (options?: FormatOptions): Sink => {
  const formatter: Formatter = options?.format ?? json
  return makeSync("console", (batch) => {
    const text = batch.text(formatter)
    const events = batch.events
    // one line per event: the formatters a console sink takes write each event on one line
    const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n")
    if (lines.length !== events.length) {
      console.info(text)
      return
    }
    for (let i = 0; i < lines.length; i++) console[methodOf(events[i]?.level)](lines[i])
  })
}
