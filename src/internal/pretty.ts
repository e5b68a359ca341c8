import type { LogEvent } from "../LogEvent.js"
import type { ErrorInfo } from "./errorInfo.js"
import type { FormatterImpl } from "./formatter.js"
import { defaultLimits, type JsonLimits, quote, safeRead } from "./json.js"
import type { LevelName } from "./level.js"
import { logfmtKey, logfmtValue, type PairWriter, writePair, writeUserFields } from "./logfmt.js"

/** Options of the pretty formatter. */
export interface PrettyOptions {
  /** Emit ANSI colours. Decide it once from the stream, with {@link shouldColor}. */
  readonly colors: boolean
  /**
   * Put error stacks on continuation lines, each starting with {@link continuationPrefix}.
   * This is the only setting that makes an event span several lines; off by default.
   */
  readonly multiline?: boolean | undefined
  readonly limits?: JsonLimits | undefined
}

/** What starts every continuation line in multiline mode: never the start of an event. */
export const continuationPrefix = "    │ "

/** Joins the parts of an error when the event stays on one line. */
const ONE_LINE_JOIN = " ⏎ "

// Characters that could move the cursor, recolour the terminal or start a new line.
const UNSAFE_TEXT =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

// The escape for one character is the one the JSON line uses (`\n`, `\u001b`, ...).
const escapeChar = (c: string): string => quote(c).slice(1, -1)

/** User text made safe for a terminal, cut at `maxLength` with the same marker as the JSON line. */
const safeText = (s: string, maxLength: number): string => {
  if (s.length > maxLength) s = JSON.parse(quote(s, maxLength)) as string
  return s.replace(UNSAFE_TEXT, escapeChar)
}

const RESET = "\u001b[0m"
const DIM = "\u001b[2m"
const BOLD = "\u001b[1m"
const RED = "\u001b[31m"

const LEVEL_COLORS: Readonly<Record<LevelName, string>> = {
  trace: "\u001b[90m",
  debug: "\u001b[36m",
  info: "\u001b[32m",
  warn: "\u001b[33m",
  error: "\u001b[31m",
  fatal: "\u001b[1;41;97m",
  audit: "\u001b[35m",
  security: "\u001b[1;35m"
}

type Paint = (code: string, text: string) => string
const paintWith: Paint = (code, text) => `${code}${text}${RESET}`
const noPaint: Paint = (_, text) => text

const TIME = /^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2}\.\d{3})/

/** `HH:MM:SS.mmm` of the event's own (UTC) timestamp, so output does not depend on the host's zone. */
const clockTime = (timestamp: string): string => TIME.exec(timestamp)?.[1] ?? safeText(timestamp, 64)

const levelLabel = (level: string): string => safeText(level.toUpperCase(), 16).padEnd(5)

/** Stack frames without the header lines that repeat the type and message. */
const framesOf = (stack: string): ReadonlyArray<string> => {
  const lines = stack.split(/\r\n|\r|\n/)
  const first = lines.findIndex((l) => /^\s+at\s/.test(l))
  return (first === -1 ? lines.slice(1) : lines.slice(first)).map((l) => l.trim()).filter((l) => l !== "")
}

interface ErrorLine {
  readonly text: string
  readonly frame: boolean
}

const errorLines = (
  info: ErrorInfo,
  label: string,
  limits: JsonLimits,
  pairs: (details: unknown) => string,
  out: Array<ErrorLine>
): void => {
  const max = limits.maxStringLength
  let head = `${label}${safeText(info.type, max)}: ${safeText(info.message, max)}`
  if (info.code !== undefined) head += ` [${safeText(info.code, 256)}]`
  if (info.details !== undefined) {
    const details = pairs(info.details)
    if (details !== "") head += ` ${details}`
  }
  out.push({ text: head, frame: false })
  if (info.stack !== undefined)
    for (const f of framesOf(info.stack)) out.push({ text: safeText(f, max), frame: true })
  if (info.errors !== undefined) {
    for (const [i, e] of info.errors.entries()) errorLines(e, `[${i}] `, limits, pairs, out)
  }
  if (info.cause !== undefined) errorLines(info.cause, "caused by: ", limits, pairs, out)
}

const makeLine = (options: PrettyOptions): ((e: LogEvent) => string) => {
  const limits = options.limits ?? defaultLimits
  const max = limits.maxStringLength
  const paint = options.colors ? paintWith : noPaint
  const multiline = options.multiline === true
  const detailsText = (details: unknown): string => {
    let out = ""
    const emit: PairWriter = (k, v) => {
      out += ` ${paint(DIM, `${k}=`)}${v}`
    }
    if (typeof details === "object" && details !== null) {
      for (const k of Object.keys(details)) writePair(logfmtKey(k, max), safeRead(details, k), limits, emit)
    }
    return out.slice(1)
  }
  return (e) => {
    let line = `${paint(DIM, clockTime(e.timestamp))} ${paint(LEVEL_COLORS[e.level] ?? "", levelLabel(e.level))} `
    if (e.logger !== "") line += `${paint(BOLD, safeText(e.logger, max))}: `
    line += safeText(e.message, max)
    const emit: PairWriter = (k, v) => {
      line += ` ${paint(DIM, `${k}=`)}${v}`
    }
    const collisions = writeUserFields(e.fields, limits, emit)
    if (collisions !== undefined) for (const [k, v] of collisions) writePair(`fields.${k}`, v, limits, emit)
    if (e.spans !== undefined) {
      for (const [label, ms] of Object.entries(e.spans)) emit(logfmtKey(label, 256), `${ms}ms`)
    }
    if (e.correlationId !== undefined) emit("correlationId", logfmtValue(e.correlationId, 256))
    if (e.traceId !== undefined) emit("traceId", logfmtValue(e.traceId, 256))
    if (e.spanId !== undefined) emit("spanId", logfmtValue(e.spanId, 256))
    if (e.error === undefined) return line
    const lines: Array<ErrorLine> = []
    errorLines(e.error, "", limits, detailsText, lines)
    for (const l of lines) {
      const text = l.frame ? paint(DIM, multiline ? `  ${l.text}` : l.text) : paint(RED, l.text)
      line += multiline ? `\n${paint(DIM, continuationPrefix)}${text}` : `${ONE_LINE_JOIN}${text}`
    }
    return line
  }
}

/**
 * The human formatter for terminals:
 * `HH:MM:SS.mmm LEVEL logger: message key=value ...`, then correlation and trace ids, then
 * the error (`Type: message`, then its stack frames and causes). The time is the event's
 * UTC clock time. Every piece of user text is escaped, so neither a newline nor an ANSI
 * sequence in a message, key or value can forge a line or a colour; the only colours are
 * ours, and only when `colors` is true. By default an event is one line, stack frames
 * joined with " ⏎ "; `multiline: true` opts into one continuation line per error line,
 * each starting with {@link continuationPrefix}.
 */
export const makePretty = (options: PrettyOptions): FormatterImpl => ({
  name: "pretty",
  format: makeLine(options)
})

/**
 * The minimal formatter: `LEVEL message key=value ...` and, for an error, its
 * `error.type` and `error.message` pairs; no timestamp, logger, ids or stack. Meant for
 * tests, examples and tools whose own output already says when and where.
 */
export const makeMinimal = (limits: JsonLimits = defaultLimits): FormatterImpl => ({
  name: "minimal",
  format: (e) => {
    const max = limits.maxStringLength
    let out = `${safeText(e.level.toUpperCase(), 16)} ${safeText(e.message, max)}`
    const emit: PairWriter = (k, v) => {
      out += ` ${k}=${v}`
    }
    const collisions = writeUserFields(e.fields, limits, emit)
    if (collisions !== undefined) for (const [k, v] of collisions) writePair(`fields.${k}`, v, limits, emit)
    if (e.error !== undefined) {
      writePair("error.type", e.error.type, limits, emit)
      writePair("error.message", e.error.message, limits, emit)
    }
    return out
  }
})

/**
 * Whether a stream should get colours: `FORCE_COLOR` wins when set (`0` or `false` turn
 * colours off, anything else on), then `NO_COLOR` (non-empty), `NODE_DISABLE_COLORS` or
 * `TERM=dumb` turn them off, and otherwise only a TTY gets them.
 */
export const shouldColor = (
  stream: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>
): boolean => {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false"
  if ((env.NO_COLOR ?? "") !== "") return false
  if (env.NODE_DISABLE_COLORS !== undefined || env.TERM === "dumb") return false
  return stream.isTTY === true
}
