import * as fs from "node:fs"
import * as path from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { SinkError } from "../Errors.js"
import type { Formatter } from "../Formatter.js"
import type { LogEvent } from "../LogEvent.js"
import type { Batch, Sink } from "../Sink.js"
import { writeAllSync } from "./fdWriter.js"
import { json } from "./formatter.js"

/** A sink whose only work is synchronous; its async `write` runs the same function. */
export const makeSync = (name: string, writeSync: (batch: Batch) => void): Sink => ({
  name,
  writeSync,
  write: (batch) =>
    Effect.try({
      try: () => writeSync(batch),
      catch: (cause) => new SinkError({ sink: name, reason: "write failed", cause })
    })
})

export interface FormatOptions {
  readonly format?: Formatter | undefined
}

/** Writes each batch as text to an already-open descriptor it does not own. */
export const fdSink = (name: string, fd: number, options?: FormatOptions): Sink => {
  const formatter = options?.format ?? json
  return makeSync(name, (batch) => writeAllSync(fd, batch.text(formatter)))
}

export const stdout = (options?: FormatOptions): Sink => fdSink("stdout", 1, options)
export const stderr = (options?: FormatOptions): Sink => fdSink("stderr", 2, options)

export const discard: Sink = makeSync("null", () => {})

/**
 * Creates `dir` and its missing parents, one component at a time. Node 20's
 * `mkdirSync(dir, { recursive: true })` never returns on some file systems (procfs answers
 * ENOENT forever), so the walk is ours and every error is thrown at once.
 */
export const ensureDir = (dir: string): void => {
  const missing: Array<string> = []
  let current = path.resolve(dir)
  while (!fs.existsSync(current)) {
    missing.push(current)
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  for (let i = missing.length - 1; i >= 0; i--) fs.mkdirSync(missing[i] as string, { mode: 0o750 })
}

export interface FileOptions extends FormatOptions {
  readonly path: string
  /** Permission bits for a newly created file. Default 0o640. */
  readonly mode?: number | undefined
}

/**
 * Appends to a file, creating it (mode 0640) and its parent directory when missing. The
 * descriptor is owned by the scope: opened on acquire, closed on release.
 */
export const file = (options: FileOptions): Effect.Effect<Sink, SinkError, Scope.Scope> => {
  const target = path.resolve(options.path)
  const name = `file:${target}`
  return Effect.acquireRelease(
    Effect.try({
      try: () => {
        ensureDir(path.dirname(target))
        return fs.openSync(target, "a", options.mode ?? 0o640)
      },
      catch: (cause) => new SinkError({ sink: name, reason: "cannot open file", cause })
    }),
    (fd) => Effect.sync(() => fs.closeSync(fd)).pipe(Effect.ignore)
  ).pipe(Effect.map((fd) => fdSink(name, fd, options)))
}

/** A sink that keeps every event in memory, for tests. */
export interface MemorySink extends Sink {
  /** Structured events in arrival order. */
  readonly events: () => ReadonlyArray<LogEvent>
  /** The text the formatter produced, one entry per line (no newline). */
  readonly lines: () => ReadonlyArray<string>
  readonly clear: () => void
}

export const memory = (options?: FormatOptions): MemorySink => {
  const formatter = options?.format ?? json
  let events: Array<LogEvent> = []
  let lines: Array<string> = []
  const sink = makeSync("memory", (batch) => {
    for (const e of batch.events) events.push(e)
    const text = batch.text(formatter)
    for (const line of text.split("\n")) if (line !== "") lines.push(line)
  })
  return {
    ...sink,
    events: () => events,
    lines: () => lines,
    clear: () => {
      events = []
      lines = []
    }
  }
}
