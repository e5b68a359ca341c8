/**
 * Sinks receive batches of accepted events. A sink has an asynchronous `write` (an Effect)
 * and, for local destinations, a synchronous `writeSync`: the pipeline prefers it, and a
 * synchronous caller facing a full buffer drains it inline through that path instead of
 * losing events.
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog"
 *
 * const memory = Sink.memory()
 * const log = await createLogger({ sinks: [memory, { type: "file", path: "logs/app.log" }] })
 * log.info("hello")
 * await log.flush()
 * memory.events()[0]?.message // "hello"
 * ```
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { SinkError } from "./Errors.js"
import type { Formatter } from "./Formatter.js"
import type { Extensions } from "./internal/extensions.js"
import * as extensions from "./internal/extensions.js"
import * as fileSinks from "./internal/fileSink.js"
import type { RetentionDeletion as RetentionDeletionInternal } from "./internal/rotatingFile.js"
import * as internal from "./internal/sink.js"
import type { Level } from "./Level.js"
import type { LogEvent } from "./LogEvent.js"

/**
 * What a sink is handed: the events of one batch, as structured events or as the text of
 * a formatter (rendered once per batch and shared by every sink using that formatter).
 *
 * @example
 * ```ts
 * import type { Sink } from "fapilog"
 * const countErrors = (batch: Sink.Batch) => batch.events.filter((e) => e.level === "error").length
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Batch {
  readonly size: number
  readonly events: ReadonlyArray<LogEvent>
  /** Every event formatted, each line ending in "\n". */
  readonly text: (formatter: Formatter) => string
}

/**
 * A destination for events.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Sink } from "fapilog"
 *
 * const console: Sink.Sink = {
 *   name: "console",
 *   write: (batch) => Effect.sync(() => batch.events.forEach((e) => globalThis.console.log(e.message)))
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Sink {
  readonly name: string
  readonly write: (batch: Batch) => Effect.Effect<void, SinkError>
  readonly writeSync?: ((batch: Batch) => void) | undefined
  /**
   * For sinks that deliver in the background (network sinks): completes once every event
   * their `write` took has been delivered, spooled or given up. `flush()` waits for it,
   * bounded by `shutdownTimeoutMs`. Such a sink manages its own backpressure: its `write`
   * may wait for room, and fapilog does not time that wait out.
   */
  readonly flush?: Effect.Effect<void> | undefined
  /** The sink's own view of its state, when it knows more than fapilog sees (an outage behind a queue). */
  readonly health?: (() => State) | undefined
  /**
   * For asynchronous sinks with durable storage of their own (a network sink's spool): keeps
   * `batch` there now, synchronously, without waiting for the sink's queue, and delivers it
   * later; returns false when it cannot (its disk budget is spent), having counted what it
   * gave up in its own `State.lost`. Under `overflow: "block"`, once the backlog of the
   * asynchronous sinks is full, callers that cannot wait (the Promise facade, `Effect.log*`)
   * have their batches spilled instead of refused, when every asynchronous sink can spill.
   */
  readonly spill?: ((batch: Batch) => boolean) | undefined
}

/**
 * What a sink says about itself (see `Sink.health`); fapilog reports the worse of this and
 * what it observed of the sink's writes.
 *
 * @example
 * ```ts
 * import type { Sink } from "fapilog"
 * const state: Sink.State = { status: "degraded", detail: "endpoint answering 503" }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface State {
  readonly status: "ok" | "degraded" | "circuit-open"
  readonly detail?: string | undefined
  /**
   * Events the sink gave up after taking them (a network sink: refused by the server,
   * unencodable, its spool full, or found damaged in its spool). fapilog adds them to
   * `lost` in its stats, under the sink's name in `lostBy`.
   */
  readonly lost?: number | undefined
  /**
   * Bytes the sink keeps in its durable store (a network sink's spool), when it has one:
   * reported as the `fapilog_sink_spool_bytes` metric (docs/metrics.md).
   */
  readonly spoolBytes?: number | undefined
}

/**
 * Options shared by the text sinks.
 *
 * @example
 * ```ts
 * import { Formatter, Sink } from "fapilog"
 * const out = Sink.stdout({ format: Formatter.json })
 * ```
 * @since 0.1.0
 * @category models
 */
export type FormatOptions = internal.FormatOptions

/**
 * Options of the file sink: rotation (`maxBytes`, `interval`), retention of rotated files
 * (`maxFiles`, `maxTotalBytes`, `maxAge` in milliseconds: a file goes when any of them says
 * so), `compress`, `mode`, and `onDelete`, told about each rotated file retention deleted.
 * (A `{ type: "file" }` entry of the `sinks` setting logs each deletion as an `audit` event
 * instead: docs/sinks.md#retention.)
 *
 * @example
 * ```ts
 * import type { Sink } from "fapilog"
 * const options: Sink.FileOptions = {
 *   path: "logs/app.log",
 *   interval: 86_400_000,
 *   maxAge: 30 * 86_400_000,
 *   onDelete: (d) => console.error(`deleted ${d.file} (${d.policy}, ${d.bytes} bytes)`)
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type FileOptions = fileSinks.FileOptions

/**
 * A rotated file the file sink's retention deleted: its path, size, rotation time, age
 * (ms) and the policy that deleted it (`"maxAge"`, `"maxFiles"` or `"maxTotalBytes"`).
 *
 * @example
 * ```ts
 * import type { Sink } from "fapilog"
 * const describe = (d: Sink.RetentionDeletion): string =>
 *   `${d.file}: ${d.bytes} bytes, ${Math.round(d.ageMs / 86_400_000)} days old, by ${d.policy}`
 * ```
 * @since 0.1.0
 * @category models
 */
export type RetentionDeletion = RetentionDeletionInternal

/**
 * The memory sink: keeps events and formatted lines for assertions.
 *
 * @example
 * ```ts
 * import { Sink } from "fapilog"
 * const sink: Sink.MemorySink = Sink.memory()
 * sink.events().length // 0
 * ```
 * @since 0.1.0
 * @category models
 */
export type MemorySink = internal.MemorySink

/**
 * A synchronous sink from a function over batches (its `write` runs the same function).
 *
 * @example
 * ```ts
 * import { Formatter, Sink } from "fapilog"
 * const lines: string[] = []
 * const collect = Sink.makeSync("collect", (batch) => lines.push(batch.text(Formatter.json)))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const makeSync: (name: string, writeSync: (batch: Batch) => void) => Sink = internal.makeSync

/**
 * JSON lines (or another formatter) to standard output, written synchronously to fd 1.
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog"
 * const log = await createLogger({ sinks: [Sink.stdout()] })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const stdout: (options?: FormatOptions) => Sink = fileSinks.stdout

/**
 * Like {@link stdout}, to standard error (fd 2).
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog"
 * const log = await createLogger({ sinks: [Sink.stderr()] })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const stderr: (options?: FormatOptions) => Sink = fileSinks.stderr

/**
 * Accepts and discards every event (the `"null"` sink of the settings).
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog"
 * const log = await createLogger({ sinks: [Sink.discard] })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const discard: Sink = internal.discard

/**
 * Appends to a file (created with mode 0640, parent directories created). The descriptor
 * belongs to the enclosing `Scope` and is closed after the pipeline has drained.
 *
 * Several processes may write one path, with or without rotation: with `maxBytes` or
 * `interval` they coordinate through `<path>.lock` and `<path>.writers`, so that no line is
 * lost, repeated or torn (see docs/sinks.md, "Several processes"). A write cut short by a
 * full disk leaves the file ending with the last whole event and fails with a `SinkError`
 * whose `written` counts the events in the file. A file found ending inside a line (a
 * crash in the middle of a write) gets its newline before the first new event.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog, Sink } from "fapilog"
 *
 * const layer = Fapilog.layer({ sinks: [Sink.file({ path: "logs/app.log" })] })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const file: (options: FileOptions) => Effect.Effect<Sink, SinkError, Scope.Scope> = fileSinks.file

/**
 * An in-memory sink for tests.
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog"
 * const memory = Sink.memory()
 * const log = await createLogger({ sinks: [memory] })
 * log.warn("careful", { n: 1 })
 * await log.flush()
 * memory.events()[0]?.fields.n // 1
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const memory: (options?: FormatOptions) => MemorySink = internal.memory

/**
 * A sink that only receives events at `level` or above. It keeps the sink's `flush` and
 * `health`, and its `spill` (given only the events at `level` or above).
 *
 * @example
 * ```ts
 * import { Sink } from "fapilog"
 * const errorsOnly = Sink.withMinLevel(Sink.stderr(), "error")
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withMinLevel: (sink: Sink, level: Level) => Sink = internal.withMinLevel

/**
 * A sink that only receives the events `keep` does not answer `false` for. `keep` sees each
 * event as sinks see it (redacted), after the sink's own level and categories. The events
 * it leaves out are counted as `skipped` in the sink's `health()`, as events below its level
 * are: they are not lost, the sink was not meant to write them. A filter that throws for an
 * event keeps that event for the sink (a line is better than a silent gap); the failure is
 * counted in the sink's `filterErrors` and reported on the diagnostics channel. To fail
 * closed instead, catch inside the filter and return `false`. The filter builds each event
 * of the batch once, which the JSON fast path otherwise avoids: prefer `withCategories` or
 * `withMinLevel` when they say the same.
 *
 * @example
 * ```ts
 * import { pipe } from "effect"
 * import { createLogger, Sink } from "fapilog"
 * const noHealthChecks = pipe(Sink.stdout(), Sink.withFilter((e) => e.fields.path !== "/health"))
 * // or: Sink.withFilter(Sink.stdout(), (e) => e.fields.path !== "/health")
 * const log = await createLogger({ sinks: [noHealthChecks] })
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withFilter: {
  (keep: (event: LogEvent) => boolean): (sink: Sink) => Sink
  (sink: Sink, keep: (event: LogEvent) => boolean): Sink
} = internal.withFilter

/**
 * Which loggers a sink takes (see {@link withCategories}): those in one of `include` (all
 * when it is absent) and in none of `exclude`. A category is a dotted logger name and takes
 * the loggers below it, on segment boundaries: `"app.db"` takes `"app.db"` and
 * `"app.db.pool"`, not `"app.dbx"`.
 *
 * @example
 * ```ts
 * import type { Sink } from "fapilog"
 * const dbButNotPool: Sink.CategorySelection = { include: ["app.db"], exclude: ["app.db.pool"] }
 * ```
 * @since 0.1.0
 * @category models
 */
export type CategorySelection = internal.CategorySelection

/**
 * A sink that only receives the events of loggers in the selected categories. The events it
 * leaves out are counted as `skipped` in the sink's `health()`.
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog"
 * const dbFile = Sink.withCategories(Sink.stderr(), { include: ["app.db"], exclude: ["app.db.pool"] })
 * const log = await createLogger({ sinks: ["stdout", dbFile] })
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withCategories: {
  (selection: CategorySelection): (sink: Sink) => Sink
  (sink: Sink, selection: CategorySelection): Sink
} = internal.withCategories

/**
 * One route of {@link route}: the levels it takes ("*" for all) and its sinks.
 *
 * @example
 * ```ts
 * import type { Sink } from "fapilog"
 * const r = (s: Sink.Sink): Sink.Route => ({ levels: ["error", "fatal"], sinks: [s] })
 * ```
 * @since 0.1.0
 * @category models
 */
export type Route = internal.Route

/**
 * Routing by level: each event goes to the sinks of every route whose levels include it.
 * The logger guards and counts each routed sink on its own (its own circuit breaker, its
 * own entry in `health()`, only its own part of a batch to the fallback), and each keeps
 * its `flush`, `health` and `spill`, as under {@link withMinLevel}.
 *
 * @example
 * ```ts
 * import { Sink } from "fapilog"
 * const split = Sink.route([
 *   { levels: ["error", "fatal", "audit", "security"], sinks: [Sink.stderr()] },
 *   { levels: ["trace", "debug", "info", "warn"], sinks: [Sink.stdout()] }
 * ])
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const route: (routes: ReadonlyArray<Route>) => Sink = internal.route

/**
 * Where a sink provided as a layer sits among the sinks: lower first (synchronous sinks are
 * written in that order); default 0, ties by the sink's name.
 *
 * @example
 * ```ts
 * import type { Sink } from "fapilog"
 * const first: Sink.LayerOptions = { order: -1 }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions {
  readonly order?: number | undefined
}

/**
 * Provides a sink to the fapilog layer it is provided to, in addition to the sinks its
 * settings give. The sink is acquired in the layer's scope and released after the logger
 * has drained; what `make` requires (besides `Scope`) shows in the layer's type until it is
 * provided. Any number of sink layers accumulate, whether merged or provided in turn.
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { Errors, Fapilog, Sink } from "fapilog"
 *
 * class Database extends Context.Tag("Database")<Database, { insert: (rows: ReadonlyArray<unknown>) => Promise<void> }>() {}
 *
 * const DbSink = Sink.layer(
 *   Effect.map(Database, (db): Sink.Sink => ({
 *     name: "db",
 *     write: (batch) =>
 *       Effect.tryPromise({ try: () => db.insert(batch.events), catch: (cause) => new Errors.SinkError({ sink: "db", reason: "insert failed", cause }) })
 *   }))
 * )
 * // Layer<Fapilog, ConfigError | SinkError, Database>
 * const Live = Fapilog.layer().pipe(Layer.provide(DbSink))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = <E, R>(
  make: Effect.Effect<Sink, E, R>,
  options?: LayerOptions
): Layer.Layer<Extensions, E, Exclude<R, Scope.Scope>> =>
  extensions.layer(Effect.map(make, (sink) => ({ kind: "sink", order: options?.order ?? 0, sink })))

/**
 * Provides a sink made of one `write` function over batches: an Effect whose requirements
 * are taken from the context when the layer is built (so they show in the layer's type) and
 * given to every write. The write is retried on failure like any asynchronous sink's.
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { Fapilog, Sink } from "fapilog"
 *
 * class Audit extends Context.Tag("Audit")<Audit, { record: (n: number) => Effect.Effect<void> }>() {}
 *
 * const AuditSink = Sink.layerWrite("audit", (batch) => Effect.flatMap(Audit, (audit) => audit.record(batch.size)))
 * const Live = Fapilog.layer().pipe(Layer.provide(AuditSink)) // requires Audit
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerWrite = <R>(
  name: string,
  write: (batch: Batch) => Effect.Effect<void, SinkError, R>,
  options?: LayerOptions
): Layer.Layer<Extensions, never, Exclude<R, Scope.Scope>> =>
  layer(
    Effect.map(
      Effect.context<R>(),
      (context): Sink => ({ name, write: (batch) => Effect.provide(write(batch), context) })
    ),
    options
  )
