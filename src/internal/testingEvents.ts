import type { LogEvent } from "../LogEvent.js"
import { BatchImpl } from "./batch.js"
import { type LevelName, levels } from "./level.js"
import { type Fields, type LogRecord, recordOf } from "./record.js"

/** The time of the first generated event: 2026-01-02T03:04:05.006Z; each next one is 1 ms later. */
export const baseTime = Date.UTC(2026, 0, 2, 3, 4, 5, 6)

/** One event to generate; every part is optional. */
export interface EventInput {
  readonly level?: LevelName | undefined
  /** A string, or any value (objects, errors, hostile values): the pipeline renders it. */
  readonly message?: unknown
  readonly logger?: string | undefined
  /** Epoch milliseconds; default {@link baseTime} plus the event's index. */
  readonly time?: number | undefined
  readonly fields?: Fields | undefined
  /** An Error, an Effect Cause or any thrown value. */
  readonly error?: unknown
  readonly traceId?: string | undefined
  readonly spanId?: string | undefined
  /** `withContext` fields. */
  readonly context?: Fields | undefined
  /** Child-logger bindings. */
  readonly bindings?: Fields | undefined
}

export const recordFrom = (input: EventInput, index: number): LogRecord =>
  recordOf(levels[input.level ?? "info"], "message" in input ? input.message : `m${index}`, {
    time: input.time ?? baseTime + index,
    logger: input.logger,
    fields: input.fields,
    error: input.error,
    traceId: input.traceId,
    spanId: input.spanId,
    context: input.context,
    bindings: input.bindings
  })

/** `n` inputs m0, m1, ... at `level`, or the given inputs. */
export const inputsOf = (
  inputs: ReadonlyArray<EventInput> | number,
  level: LevelName = "info"
): ReadonlyArray<EventInput> =>
  typeof inputs === "number"
    ? Array.from({ length: inputs }, (_, i) => ({ level, message: `m${i}` }))
    : inputs

/** Records as the pipeline builds them. */
export const recordsOf = (inputs: ReadonlyArray<EventInput> | number, level?: LevelName): Array<LogRecord> =>
  inputsOf(inputs, level).map(recordFrom)

/** A batch exactly as the pipeline hands it to sinks (lazy events, text rendered once per formatter). */
export const batchOf = (inputs: ReadonlyArray<EventInput> | number, level?: LevelName): BatchImpl =>
  new BatchImpl(recordsOf(inputs, level))

/** A structured event with sensible defaults. */
export const eventOf = (over: Partial<LogEvent> = {}): LogEvent => ({
  timestamp: new Date(baseTime).toISOString(),
  level: "info",
  logger: "app",
  message: "hello",
  fields: {},
  ...over
})

/** A value that has broken loggers and serializers, built fresh on each call. */
export interface HostileValue {
  readonly name: string
  readonly make: () => unknown
}

const cyclic = () => {
  const a: Record<string, unknown> = { name: "a" }
  a.self = a
  a.list = [a, { back: a }]
  return a
}

const throwing = (what: string) => () => {
  throw new Error(`hostile ${what}`)
}

const deep = (depth: number) => {
  let v: Record<string, unknown> = { leaf: true }
  for (let i = 0; i < depth; i++) v = { d: v }
  return v
}

export const hostileValues: ReadonlyArray<HostileValue> = Object.freeze([
  { name: "cycle", make: cyclic },
  { name: "bigint", make: () => 12345678901234567890123n },
  { name: "object with bigint", make: () => ({ big: -9n, list: [1n, 2n] }) },
  {
    name: "throwing getter",
    make: () => Object.defineProperty({ ok: 1 }, "boom", { get: throwing("getter"), enumerable: true })
  },
  { name: "throwing toJSON", make: () => ({ toJSON: throwing("toJSON") }) },
  {
    name: "throwing toString",
    make: () => ({ toString: throwing("toString"), valueOf: throwing("valueOf") })
  },
  {
    name: "proxy whose every trap throws",
    make: () =>
      new Proxy(
        {},
        {
          get: throwing("proxy get"),
          has: throwing("proxy has"),
          ownKeys: throwing("proxy ownKeys"),
          getOwnPropertyDescriptor: throwing("proxy descriptor"),
          getPrototypeOf: throwing("proxy prototype")
        }
      )
  },
  {
    name: "revoked proxy",
    make: () => {
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      return proxy
    }
  },
  { name: "huge string (1 MiB)", make: () => "x".repeat(1024 * 1024) },
  { name: "huge array (100k items)", make: () => Array.from({ length: 100_000 }, (_, i) => i) },
  {
    name: "wide object (10k keys)",
    make: () => Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))
  },
  { name: "deep nesting (5000 levels)", make: () => deep(5000) },
  {
    name: "control characters",
    make: () => "nul\u0000 bell\u0007 esc\u001b[31mred\u001b[0m cr\r lf\n tab\t ls\u2028 ps\u2029 del\u007f"
  },
  { name: "lone surrogates", make: () => "high \ud800 low \udfff reversed \udc00\ud800" },
  {
    name: "special numbers",
    make: () => ({
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      ninf: Number.NEGATIVE_INFINITY,
      negZero: -0
    })
  },
  { name: "symbols", make: () => ({ [Symbol("key")]: 1, value: Symbol("value") }) },
  { name: "function", make: () => function named() {} },
  { name: "invalid date", make: () => new Date(Number.NaN) },
  {
    name: "map and set with a cycle",
    make: () => {
      const m = new Map<unknown, unknown>([["a", 1]])
      m.set("self", m)
      const s = new Set<unknown>([1])
      s.add(s)
      return { m, s }
    }
  },
  {
    name: "error with a cyclic cause",
    make: () => {
      const e = new Error("hostile error") as Error & { cause?: unknown; extra?: unknown }
      e.cause = e
      e.extra = 5n
      return e
    }
  },
  { name: "typed array (64 KiB)", make: () => new Uint8Array(64 * 1024).fill(7) },
  {
    name: "__proto__ key",
    make: () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{}}}')
  },
  {
    name: "null prototype",
    make: () => Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 })
  },
  { name: "promise", make: () => Promise.resolve(1) },
  { name: "undefined and null", make: () => ({ u: undefined, n: null }) },
  {
    name: "key with control characters and quotes",
    make: () => ({ 'we"ird\nkey\u0000': "v", "": "empty key" })
  }
])

/** The token that identifies a generated event in what a destination received. */
export const tokenOf = (run: string, scenario: string, index: number): string =>
  `fapilog-conformance-${run}-${scenario}-${String(index).padStart(5, "0")}`

/**
 * One event per hostile value (the value as a field, and as the error for the error-like
 * ones), plus events whose message itself is hostile text. `token(i)` is put at the start of
 * each message so the event can be found in what a destination received.
 */
export const hostileInputs = (token: (index: number) => string): ReadonlyArray<EventInput> => {
  const inputs: Array<EventInput> = hostileValues.map((h, i) => ({
    level: "warn",
    message: `${token(i)} ${h.name}`,
    fields: { hostile: h.make(), name: h.name }
  }))
  const more = [
    (t: string) => ({
      message: `${t} cyclic error`,
      error: hostileValues.find((h) => h.name === "error with a cyclic cause")?.make()
    }),
    (t: string) => ({ message: `${t} thrown string`, error: "just a string" }),
    (t: string) => ({ message: `${t} control\u0000chars\u001b[2J\r\n in the message\u2028` }),
    (t: string) => ({ message: `${t} lone \ud800 surrogate` }),
    (t: string) => ({ message: `${t} ${"long ".repeat(50_000)}` }),
    (t: string) => ({ message: `${t} hostile context`, context: { c: cyclic(), b: 1n } })
  ]
  for (const f of more) inputs.push({ level: "error", ...f(token(inputs.length)) })
  return inputs
}
