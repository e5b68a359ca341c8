/**
 * The alert sink (`{ type: "alert", rules, notify }`, docs/alerting.md): the rules of
 * alerting.ts fed with the events the logger writes and, every `checkInterval`, with its
 * sinks' health. Time is read from Effect's `Clock` (captured when the sink opens, so that a
 * `TestClock` drives it in tests), both for the windows and for the periodic check, which is
 * a fiber in the sink's scope.
 *
 * A firing is logged as an event of its own ("alert fired", logger `fapilog.alert`, field
 * `eventCategory: "alert"`), handed to the pipeline after the batch being written and past
 * the processors, as the pipeline's own summaries are (no sampling or throttling hides an
 * alert). Every sink of the logger receives it; the `notify` sinks receive only these firings.
 * They are parts of the entry, so the pipeline guards each of them like any other sink
 * (retries, circuit breaker, fallback, health).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { LogEvent } from "../LogEvent.js"
import type { Sink } from "../Sink.js"
import {
  type AlertRuleOptions,
  AlertRules,
  alertLogger,
  type Firing,
  firedMessage,
  type SinkStatus
} from "./alerting.js"
import { levels } from "./level.js"
import { eventId, type LogRecord, recordOf } from "./record.js"
import * as sinks from "./sink.js"

/** What the alert sink needs of the pipeline it writes for, given once the pipeline exists. */
export interface AlertHost {
  /** Logs a record of fapilog's own after the current batch (dropped once the pipeline is closed). */
  readonly announce: (record: LogRecord) => void
  /** Every sink's name and status (`health().sinks`). */
  readonly sinks: () => ReadonlyArray<SinkStatus>
}

export interface AlertSinkOptions {
  readonly rules: ReadonlyArray<AlertRuleOptions>
  /** How often circuit rules read the sinks' health and windows slide, in ms (default 1,000). */
  readonly checkInterval?: number | undefined
}

export const defaultCheckIntervalMs = 1_000

/** An opened alert sink: the sink to write to, and how to tell it its pipeline. */
export interface OpenedAlertSink {
  readonly sink: Sink
  readonly attach: (host: AlertHost) => void
}

/** Firings whose ids a sink remembers for its notify sinks: far more than are ever in flight. */
const rememberedFirings = 1_024

/** The record a firing logs. */
export const firingRecord = (firing: Firing, now: number): LogRecord =>
  recordOf(levels[firing.level], firedMessage, {
    time: now,
    logger: alertLogger,
    fields: { ...firing.fields }
  })

/**
 * Opens the alert sink over already opened `notify` sinks, in the current scope (the
 * periodic check ends with it). Nothing is announced before `attach`.
 */
export const make = (
  options: AlertSinkOptions,
  notify: ReadonlyArray<Sink>
): Effect.Effect<OpenedAlertSink, never, Scope.Scope> =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock
    const now = (): number => clock.unsafeCurrentTimeMillis()
    const rules = new AlertRules(options.rules)
    let host: AlertHost | undefined
    // the ids of this sink's own firings: its notify sinks take those and nothing else (not
    // even the firings of another alert sink with a rule of the same name)
    const announced = new Set<string>()
    const announce = (firings: ReadonlyArray<Firing>, at: number): void => {
      if (host === undefined) return
      for (const f of firings) {
        const record = firingRecord(f, at)
        host.announce(record)
        const id = eventId(record)
        if (id === undefined) continue
        announced.add(id)
        if (announced.size > rememberedFirings) announced.delete(announced.values().next().value as string)
      }
    }
    const evaluator = sinks.makeSync(`alert(${[...rules.names].join(",")})`, (batch) => {
      const at = now()
      announce(rules.observe(batch.events, at), at)
    })
    const check = Effect.sync(() => {
      if (host === undefined) return
      const at = now()
      let statuses: ReadonlyArray<SinkStatus>
      try {
        statuses = host.sinks()
      } catch {
        statuses = []
      }
      announce(rules.check(statuses, at), at)
    })
    const every =
      options.checkInterval !== undefined &&
      Number.isFinite(options.checkInterval) &&
      options.checkInterval > 0
        ? options.checkInterval
        : defaultCheckIntervalMs
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(every), check)))
    const ours = (event: LogEvent): boolean => event.id !== undefined && announced.has(event.id)
    const sink =
      notify.length === 0
        ? evaluator
        : sinks.route([{ levels: "*", sinks: [evaluator, ...notify.map((s) => sinks.withFilter(s, ours))] }])
    return {
      sink,
      attach: (h) => {
        host = h
      }
    }
  })
