import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import { SinkError } from "../Errors.js"
import type { Formatter } from "../Formatter.js"
import type { LogEvent } from "../LogEvent.js"
import type { Batch, Sink } from "../Sink.js"
import { BatchImpl } from "./batch.js"
import { type CategorySelection, categoryTest } from "./categories.js"

export type { CategorySelection } from "./categories.js"

import { json } from "./formatter.js"
import { type LevelName, levelNames, levels } from "./level.js"
import { loggerName } from "./record.js"

/** A sink whose only work is synchronous; its async `write` runs the same function. */
export const makeSync = (name: string, writeSync: (batch: Batch) => void): Sink => ({
  name,
  writeSync,
  write: (batch) =>
    Effect.try({
      try: () => writeSync(batch),
      // a SinkError thrown as such may say how much of the batch was written: keep it
      catch: (cause) =>
        cause instanceof SinkError ? cause : new SinkError({ sink: name, reason: "write failed", cause })
    })
})

export interface FormatOptions {
  readonly format?: Formatter | undefined
}

export const discard: Sink = makeSync("null", () => {})

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

const asBatchImpl = (batch: Batch): BatchImpl =>
  batch instanceof BatchImpl ? batch : new BatchImpl([], undefined)

/**
 * A sink that takes only part of each batch (a sink with its own level, or one sink of a
 * route) says which part, so that its counters and the fallback cover just that part (and
 * a partial write's `written` counts within it). `base` is the sink that does the writing.
 */
export interface NarrowingSink extends Sink {
  readonly narrow: (batch: BatchImpl) => BatchImpl
  readonly base: Sink
  /** Set under a filter (`withFilter`): the events it threw for, which the dispatcher reports. */
  readonly filterFailures?: FilterFailures | undefined
}

/**
 * A sink filter's failures: how many events it threw for (each kept for the sink), the
 * last error, and how many of them the dispatcher has reported.
 */
export interface FilterFailures {
  count: number
  last: unknown
  reported: number
}

/**
 * A route: the dispatcher guards and counts each of its parts (one per routed sink) as a
 * sink of its own, so that one routed sink's failure hands on only that sink's part.
 */
export interface RoutingSink extends Sink {
  readonly parts: ReadonlyArray<NarrowingSink>
}

/** The sinks the dispatcher guards for `sink`: a route's parts, or the sink itself. */
export const partsOf = (sink: Sink): ReadonlyArray<Sink> => (sink as Partial<RoutingSink>).parts ?? [sink]

/** The sink that does the writing: the one under a level or a route, or `sink` itself. */
export const baseOf = (sink: Sink): Sink => (sink as Partial<NarrowingSink>).base ?? sink

/**
 * Runs a sink on the sub-batch `select` picks, skipping the call when it is empty. The
 * sink's `flush` and `health` pass through; its `spill` keeps the same sub-batch. Narrowing
 * a narrowed sink narrows its base once, by both selections.
 */
const narrowed = (
  sink: Sink,
  select: (batch: BatchImpl) => BatchImpl,
  failures?: FilterFailures | undefined
): NarrowingSink => {
  const inner = sink as Partial<NarrowingSink>
  const base = inner.base ?? sink
  const pick = inner.narrow === undefined ? select : (b: BatchImpl) => select(inner.narrow!(b))
  // the dispatcher asks for the part of the batch it has just written: pick it once
  let lastWhole: BatchImpl | undefined
  let lastPart: BatchImpl | undefined
  const narrow = (batch: BatchImpl): BatchImpl => {
    if (batch !== lastWhole || lastPart === undefined) {
      lastPart = pick(batch)
      lastWhole = batch
    }
    return lastPart
  }
  return {
    get name() {
      return base.name
    },
    base,
    narrow,
    filterFailures: failures ?? inner.filterFailures,
    write: (batch) => {
      const part = narrow(asBatchImpl(batch))
      return part.size === 0 ? Effect.void : base.write(part)
    },
    writeSync:
      base.writeSync === undefined
        ? undefined
        : (batch) => {
            const part = narrow(asBatchImpl(batch))
            if (part.size > 0) base.writeSync!(part)
          },
    flush: base.flush,
    health: base.health === undefined ? undefined : () => base.health!(),
    spill:
      base.spill === undefined
        ? undefined
        : (batch) => {
            const part = narrow(asBatchImpl(batch))
            return part.size === 0 || base.spill!(part)
          }
  }
}

/**
 * A route's failure without the `written` of a partial write: that count is of one routed
 * sink's part of the batch, not of the whole batch the route was given.
 */
const wholeFailure = (e: unknown): unknown =>
  e instanceof SinkError && e.written !== undefined
    ? new SinkError({ sink: e.sink, reason: e.reason, cause: e.cause })
    : e

/**
 * A route over its parts. The dispatcher writes and counts each part as its own sink; the
 * route's own `write` (a route used elsewhere, as the fallback say) writes every part.
 */
const routing = (parts: ReadonlyArray<NarrowingSink>): RoutingSink => {
  const allSync = parts.every((p) => p.writeSync !== undefined)
  return {
    name: `route(${parts.map((p) => p.name).join(",")})`,
    parts,
    write: (batch) =>
      Effect.forEach(parts, (p) => Effect.mapError(p.write(batch), (e) => wholeFailure(e) as SinkError), {
        concurrency: "unbounded",
        discard: true
      }),
    writeSync: allSync
      ? (batch) => {
          let failure: unknown
          for (const p of parts) {
            try {
              p.writeSync?.(batch)
            } catch (e) {
              failure ??= wholeFailure(e)
            }
          }
          if (failure !== undefined) throw failure
        }
      : undefined
  }
}

/** `sink` narrowed by `select`: each part of a route, or the sink itself. */
const narrowedAll = (sink: Sink, select: (batch: BatchImpl) => BatchImpl): Sink => {
  const parts = (sink as Partial<RoutingSink>).parts
  return parts === undefined ? narrowed(sink, select) : routing(parts.map((p) => narrowed(p, select)))
}

/** A sink that only receives events at `level` or above. */
export const withMinLevel = (sink: Sink, level: LevelName): Sink => {
  const rank = levels[level].rank
  return narrowedAll(sink, (b) => b.atLeast(rank))
}

/**
 * `sink` under a filter of the events it takes, as sinks see them (redacted). Only `false`
 * leaves an event out; an event the filter throws for is kept for the sink, and counted in
 * its `filterFailures`, which the dispatcher reports.
 */
const filtering = (sink: Sink, keep: (event: LogEvent) => boolean): NarrowingSink => {
  const failures = (sink as Partial<NarrowingSink>).filterFailures ?? {
    count: 0,
    last: undefined,
    reported: 0
  }
  return narrowed(
    sink,
    (b) => {
      const events = b.events
      return b.where((_, i) => {
        try {
          return keep(events[i] as LogEvent) !== false
        } catch (e) {
          failures.count++
          failures.last = e
          return true
        }
      })
    },
    failures
  )
}

/** A sink that only receives the events `keep` does not answer `false` for. */
export const withFilter: {
  (keep: (event: LogEvent) => boolean): (sink: Sink) => Sink
  (sink: Sink, keep: (event: LogEvent) => boolean): Sink
} = dual(2, (sink: Sink, keep: (event: LogEvent) => boolean): Sink => {
  const parts = (sink as Partial<RoutingSink>).parts
  return parts === undefined ? filtering(sink, keep) : routing(parts.map((p) => filtering(p, keep)))
})

/** A sink that only receives the events of loggers in the selected categories. */
export const withCategories: {
  (selection: CategorySelection): (sink: Sink) => Sink
  (sink: Sink, selection: CategorySelection): Sink
} = dual(2, (sink: Sink, selection: CategorySelection): Sink => {
  const test = categoryTest(selection)
  return narrowedAll(sink, (b) => b.where((r) => test(loggerName(r))))
})

export interface Route {
  /** The levels this route takes, or "*" for all. */
  readonly levels: ReadonlyArray<LevelName> | "*"
  readonly sinks: ReadonlyArray<Sink>
}

/**
 * Routing by level: every event goes to the sinks of each route whose levels include it.
 * Each routed sink is a part of its own, with its own counters, fallback and health (see
 * {@link RoutingSink}); a route inside a route adds its parts, narrowed by both.
 */
export const route = (routes: ReadonlyArray<Route>): Sink =>
  routing(
    routes.flatMap((r) => {
      const ranks = new Set(
        r.levels === "*" ? levelNames.map((l) => levels[l].rank) : r.levels.map((l) => levels[l].rank)
      )
      const select = (b: BatchImpl) => b.withLevels(ranks)
      return r.sinks.flatMap((s) => partsOf(s).map((p) => narrowed(p, select)))
    })
  )
