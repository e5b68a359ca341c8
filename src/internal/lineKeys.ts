/**
 * The names of the core keys of the default JSON layout, per sink (docs/formatters.md#key-names).
 *
 * A sink of the `json` format with the `default` layout may write `message`, `level` and
 * `timestamp` under other names, the level under other names of its levels (Google Cloud's
 * `severity` with `WARNING`, Datadog's `status` with `warning`), and the time as epoch
 * milliseconds. The ECS, OTel and pino layouts follow their specifications and take none of
 * this.
 *
 * Everything a line needs is worked out once per sink, as ready text (`{"time":`,
 * `,"severity":`, `"WARNING"`), so a renamed line costs what a default one does.
 */
import { quote } from "./json.js"
import { type LevelName, levelNames } from "./level.js"

/** How the time of an event is written: RFC 3339 text (default) or a number of milliseconds since 1970. */
export type TimestampFormat = "iso" | "epochMs"

export const timestampFormats: ReadonlyArray<TimestampFormat> = ["iso", "epochMs"]

/** The key-name presets for common targets. */
export type KeysPreset = "gcp" | "datadog"

export const keysPresets: ReadonlyArray<KeysPreset> = ["gcp", "datadog"]

/** The key names and level names one sink writes, as settings give them (each optional). */
export interface KeyNames {
  /** A preset for a target; the other options override its values. */
  readonly keys?: KeysPreset | undefined
  /** Name of the message key; default `message`. */
  readonly messageKey?: string | undefined
  /** Name of the level key; default `level`. */
  readonly levelKey?: string | undefined
  /** Name of the time key; default `timestamp`. */
  readonly timestampKey?: string | undefined
  /** `iso` (default) or `epochMs`. */
  readonly timestampFormat?: TimestampFormat | undefined
  /** The name written for each level, where it differs from fapilog's. */
  readonly levelNames?: Readonly<Partial<Record<LevelName, string>>> | undefined
}

/** The options of {@link KeyNames}: the per-sink keys this module reads. */
export const keyNameOptions = [
  "keys",
  "messageKey",
  "levelKey",
  "timestampKey",
  "timestampFormat",
  "levelNames"
] as const satisfies ReadonlyArray<keyof KeyNames>

/**
 * Google Cloud Logging reads `severity` (its LogSeverity names), `message` and `time` (RFC
 * 3339 text) from a JSON line; its `timestamp` is an object of seconds and nanos, so the time
 * is written under `time`. `audit` records facts (NOTICE: "normal but significant"),
 * `security` asks a person to act (ALERT); `fatal` is CRITICAL, as Google's own pino and
 * winston integrations write it.
 */
const gcp: KeyNames = {
  levelKey: "severity",
  timestampKey: "time",
  levelNames: {
    trace: "DEBUG",
    debug: "DEBUG",
    info: "INFO",
    warn: "WARNING",
    error: "ERROR",
    fatal: "CRITICAL",
    audit: "NOTICE",
    security: "ALERT"
  }
}

/**
 * Datadog reads `status` with the syslog severity names, `message`, and `timestamp` (ISO 8601
 * or epoch milliseconds). The same choices as {@link gcp}; `fatal` is written `critical`
 * (Datadog alone would read "fatal" as emergency, which says every system is down).
 */
const datadog: KeyNames = {
  levelKey: "status",
  levelNames: {
    trace: "debug",
    debug: "debug",
    info: "info",
    warn: "warning",
    error: "error",
    fatal: "critical",
    audit: "notice",
    security: "alert"
  }
}

export const presets: Readonly<Record<KeysPreset, KeyNames>> = { gcp, datadog }

const defaultNames = { timestampKey: "timestamp", levelKey: "level", messageKey: "message" } as const

/**
 * The core keys of the default JSON line that no option renames (with `timestamp`, `level`
 * and `message`, the keys record.ts reserves).
 */
export const fixedCoreKeys: ReadonlyArray<string> = [
  "logger",
  "correlationId",
  "traceId",
  "spanId",
  "spans",
  "error",
  "fields",
  "truncated"
]

/** A key or level name as a sink may write it. */
export const isKeyName = (u: unknown): u is string =>
  typeof u === "string" && u.length >= 1 && u.length <= 64 && !/[\u0000-\u001f\u007f]/.test(u)

export const keyNameRule = "a name of 1 to 64 characters without control characters"

/** The options of a sink with its preset applied (explicit options win, level names merge). */
export const withPreset = (o: KeyNames): KeyNames => {
  const preset = o.keys === undefined ? undefined : presets[o.keys]
  if (preset === undefined) return o
  return {
    ...preset,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    levelNames: { ...preset.levelNames, ...o.levelNames }
  }
}

/**
 * Why the key names of `o` (preset applied) cannot be written, per option: a renamed key
 * must differ from the other core keys of the line, renamed or not.
 */
export const keyNameProblems = (
  o: KeyNames
): ReadonlyArray<{
  readonly option: "messageKey" | "levelKey" | "timestampKey"
  readonly message: string
}> => {
  const names = withPreset(o)
  const chosen = {
    timestampKey: names.timestampKey ?? "timestamp",
    levelKey: names.levelKey ?? "level",
    messageKey: names.messageKey ?? "message"
  }
  const out: Array<{ option: "messageKey" | "levelKey" | "timestampKey"; message: string }> = []
  for (const option of ["messageKey", "levelKey", "timestampKey"] as const) {
    const name = chosen[option]
    if (fixedCoreKeys.includes(name))
      out.push({
        option,
        message: `${JSON.stringify(name)} is the core key ${name} of the line: choose another name`
      })
    // reported on the option written onto the other's name (on both, when both were)
    if (o[option] === undefined || name === defaultNames[option]) continue
    for (const other of ["messageKey", "levelKey", "timestampKey"] as const) {
      if (other !== option && chosen[other] === name)
        out.push({
          option,
          message: `${JSON.stringify(name)} is also the ${other === "timestampKey" ? "time" : other === "levelKey" ? "level" : "message"} key (${other}): each core key needs its own name`
        })
    }
  }
  return out
}

/** The text of a line's core keys for one sink, worked out once. */
export interface LineKeys {
  /** `{"timestamp":` */
  readonly open: string
  /** `,"level":` */
  readonly level: string
  /** `,"logger":` */
  readonly logger: string
  /** `,"message":` */
  readonly message: string
  readonly timestampFormat: TimestampFormat
  /** The JSON text of each level's name: `"WARNING"`. */
  readonly levels: Readonly<Record<LevelName, string>>
  /**
   * Names this sink writes core values under that fapilog's own reserved keys do not hold
   * (`severity`, `time`): a user field with such a name goes under `fields` on this sink.
   * Undefined when there are none.
   */
  readonly reserved: ReadonlySet<string> | undefined
  /** The key names as written, for the line written when an event cannot be formatted. */
  readonly names: { readonly time: string; readonly level: string; readonly message: string }
}

const DEFAULT_NAMES = new Set(["timestamp", "level", "message"])

/** Compiles the key names of a sink (already checked by the settings) into ready text. */
export const compileLineKeys = (o: KeyNames): LineKeys => {
  const names = withPreset(o)
  const time = names.timestampKey ?? "timestamp"
  const level = names.levelKey ?? "level"
  const message = names.messageKey ?? "message"
  const levels = {} as Record<LevelName, string>
  for (const l of levelNames) levels[l] = quote(names.levelNames?.[l] ?? l, Number.POSITIVE_INFINITY)
  const reserved = [time, level, message].filter((k) => !DEFAULT_NAMES.has(k))
  return {
    open: `{${quote(time, Number.POSITIVE_INFINITY)}:`,
    level: `,${quote(level, Number.POSITIVE_INFINITY)}:`,
    logger: `,"logger":`,
    message: `,${quote(message, Number.POSITIVE_INFINITY)}:`,
    timestampFormat: names.timestampFormat ?? "iso",
    levels,
    reserved: reserved.length === 0 ? undefined : new Set(reserved),
    names: { time, level, message }
  }
}

/** fapilog's own line: the keys `docs/event-schema.md` describes. */
export const defaultLineKeys: LineKeys = compileLineKeys({})

/** Whether a sink entry sets any key-name option. */
export const hasKeyNames = (o: KeyNames): boolean => keyNameOptions.some((k) => o[k] !== undefined)

/** A stable text of the options, so sinks with equal key names share one formatter. */
export const keyNamesId = (o: KeyNames): string => {
  const n = withPreset(o)
  return JSON.stringify([
    n.timestampKey ?? "",
    n.levelKey ?? "",
    n.messageKey ?? "",
    n.timestampFormat ?? "iso",
    levelNames.map((l) => n.levelNames?.[l] ?? l)
  ])
}
