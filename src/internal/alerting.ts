/**
 * The alert rules: plain synchronous state over the events a logger writes and the health of
 * its sinks, with the time handed in (the alert sink reads it from Effect's `Clock`).
 *
 * Two kinds of rule:
 * - an events rule counts the events it matches (level, logger category, `eventCategory`,
 *   message, fields) per key (all in one, or by logger or by a field's value) over a sliding
 *   window, and is due when the count is above `threshold`;
 * - a circuit rule is due for each sink whose circuit is open.
 *
 * State machine, per rule and key: inactive → (due, and the cool-down since the last firing
 * is over) fire, active → (no longer due: the window's count fell to the threshold, the
 * circuit closed) inactive. While active a key never fires again (dedupe); a key that is due
 * again within `cooldown` of its last firing waits for a matching event (or, for a circuit,
 * a check) after the cool-down.
 *
 * Memory is bounded: a window is a ring of counters (`slots`), not a list of events, and a
 * rule keeps at most `maxKeys` keys, the least recently seen one going first. Events of the
 * alert category (what firings log) are never counted, so that a rule cannot feed on itself.
 */
import type { LogEvent } from "../LogEvent.js"
import { type CategorySelection, categoryTest } from "./categories.js"
import {
  alertCategory,
  type EventSeverity,
  eventCategoryKey,
  severityOf,
  severityRank
} from "./eventCategory.js"
import { type LevelName, levels } from "./level.js"

/** What a rule's events are grouped into keys by: the event's logger, or a field's value. */
export type AlertKey = "logger" | { readonly field: string }

/** A value a rule's `fields` may require of a field (compared with `===`). */
export type FieldValue = string | number | boolean | null

/** "More than `threshold` matching events in `window`". */
export interface EventRuleOptions {
  /** Names the rule in its firings; unique within an alert sink. */
  readonly name: string
  readonly on?: "events" | undefined
  /** Events at this level or above (default: every level). */
  readonly level?: LevelName | undefined
  /** Only events of loggers in these categories ("app.db" takes "app.db" and "app.db.pool"). */
  readonly categories?: ReadonlyArray<string> | undefined
  /** No events of loggers in these categories. */
  readonly excludeCategories?: ReadonlyArray<string> | undefined
  /** Only events whose `eventCategory` field is one of these. */
  readonly eventCategory?: ReadonlyArray<string> | undefined
  /** Only events whose `eventCategory` is a documented one of this severity or above. */
  readonly minSeverity?: EventSeverity | undefined
  /** Only events whose message contains this text. */
  readonly message?: string | undefined
  /** Only events whose fields hold these values. */
  readonly fields?: Readonly<Record<string, FieldValue>> | undefined
  /** Due when more than this many events matched within the window (default 0: any event). */
  readonly threshold?: number | undefined
  /** Length of the sliding window in milliseconds (default 60,000). */
  readonly window?: number | undefined
  /** Counted and fired per logger or per value of a field (default: one count for the rule). */
  readonly by?: AlertKey | undefined
  /** Least time between two firings of one key, in milliseconds (default 300,000). */
  readonly cooldown?: number | undefined
  /** Level of the "alert fired" event (default "error"). */
  readonly alertLevel?: LevelName | undefined
  /** Most keys counted at once, the least recently seen one dropped first (default 1,000). */
  readonly maxKeys?: number | undefined
}

/** Due for each sink whose circuit breaker is open. */
export interface CircuitRuleOptions {
  readonly name: string
  readonly on: "circuit-open"
  /** Only these sinks (their names, as `health()` gives them); default every sink. */
  readonly sinks?: ReadonlyArray<string> | undefined
  readonly cooldown?: number | undefined
  readonly alertLevel?: LevelName | undefined
}

export type AlertRuleOptions = EventRuleOptions | CircuitRuleOptions

export const defaultWindowMs = 60_000
export const defaultCooldownMs = 300_000
export const defaultAlertLevel: LevelName = "error"
export const defaultMaxKeys = 1_000
/** Counters per window: the window slides in steps of 1/slots of its length. */
export const slots = 60

/** The longest message of a triggering event a firing repeats (a notification stays small). */
export const maxTriggerMessage = 1_000

/** The message of the event a firing logs. */
export const firedMessage = "alert fired"

/** The logger (category) of the events a firing logs. */
export const alertLogger = "fapilog.alert"

/** One firing: the fields of its "alert fired" event. */
export interface Firing {
  readonly rule: string
  readonly level: LevelName
  readonly fields: Readonly<Record<string, unknown>>
}

/**
 * Events counted over the last `windowMs`, in `slots` steps: an event is counted for
 * between (slots − 1)/slots and all of the window after it. Each counter remembers which
 * step it holds, so stale counters are found by their step, never swept.
 */
export class SlidingCount {
  private readonly width: number
  private readonly steps: Float64Array
  private readonly counts: Float64Array
  private readonly size: number

  constructor(readonly windowMs: number) {
    this.size = Math.max(1, Math.min(slots, Math.floor(windowMs)))
    this.width = windowMs / this.size
    this.steps = new Float64Array(this.size).fill(Number.NEGATIVE_INFINITY)
    this.counts = new Float64Array(this.size)
  }

  private stepOf(now: number): number {
    return Math.floor(now / this.width)
  }

  add(now: number, n = 1): void {
    const step = this.stepOf(now)
    const i = ((step % this.size) + this.size) % this.size
    if (this.steps[i] !== step) {
      this.steps[i] = step
      this.counts[i] = 0
    }
    this.counts[i] = (this.counts[i] as number) + n
  }

  count(now: number): number {
    const step = this.stepOf(now)
    let total = 0
    for (let i = 0; i < this.size; i++) {
      const s = this.steps[i] as number
      if (s <= step && s > step - this.size) total += this.counts[i] as number
    }
    return total
  }
}

interface KeyState {
  readonly window: SlidingCount | undefined
  active: boolean
  lastFiredAt: number | undefined
}

/** The event's `eventCategory`, read without trusting the fields (a getter may throw). */
const categoryOfEvent = (e: LogEvent): unknown => {
  try {
    return e.fields[eventCategoryKey]
  } catch {
    return undefined
  }
}

const fieldOf = (e: LogEvent, key: string): unknown => {
  try {
    return e.fields[key]
  } catch {
    return undefined
  }
}

/** A key as text: a value that is no string is written as its JSON text (bounded), else by type. */
const keyText = (u: unknown): string => {
  if (typeof u === "string") return u.length > 256 ? u.slice(0, 256) : u
  if (u === undefined) return "(none)"
  if (typeof u === "number" || typeof u === "boolean" || u === null) return String(u)
  return `(${typeof u})`
}

const matcher = (rule: EventRuleOptions): ((e: LogEvent) => boolean) => {
  const minRank = rule.level === undefined ? undefined : levels[rule.level].rank
  const selection: CategorySelection = { include: rule.categories, exclude: rule.excludeCategories }
  const inCategories =
    rule.categories === undefined && rule.excludeCategories === undefined
      ? undefined
      : categoryTest(selection)
  const kinds = rule.eventCategory === undefined ? undefined : new Set(rule.eventCategory)
  const minSeverity = rule.minSeverity === undefined ? undefined : severityRank(rule.minSeverity)
  const text = rule.message
  const fields = rule.fields === undefined ? [] : Object.entries(rule.fields)
  return (e) => {
    if (minRank !== undefined) {
      const rank = (levels as Readonly<Record<string, { readonly rank: number }>>)[e.level]?.rank
      if (rank === undefined || rank < minRank) return false
    }
    if (inCategories !== undefined && !inCategories(e.logger)) return false
    if (kinds !== undefined || minSeverity !== undefined) {
      const c = categoryOfEvent(e)
      if (kinds !== undefined && !(typeof c === "string" && kinds.has(c))) return false
      if (minSeverity !== undefined) {
        const s = severityOf(c)
        if (s === undefined || severityRank(s) < minSeverity) return false
      }
    }
    if (text !== undefined && !(typeof e.message === "string" && e.message.includes(text))) return false
    for (const [k, v] of fields) if (fieldOf(e, k) !== v) return false
    return true
  }
}

const keyer = (by: AlertKey | undefined): ((e: LogEvent) => string) => {
  if (by === undefined) return () => ""
  if (by === "logger") return (e) => e.logger
  const field = by.field
  return (e) => keyText(fieldOf(e, field))
}

/** The keys of one rule, in recency order (the first is the least recently seen). */
class Keys {
  private readonly map = new Map<string, KeyState>()

  constructor(
    private readonly max: number,
    private readonly make: () => KeyState
  ) {}

  get(key: string): KeyState {
    let s = this.map.get(key)
    if (s === undefined) {
      s = this.make()
      this.map.set(key, s)
      if (this.map.size > this.max) {
        const oldest = this.map.keys().next()
        if (oldest.done !== true) this.map.delete(oldest.value)
      }
    } else {
      this.map.delete(key)
      this.map.set(key, s)
    }
    return s
  }

  peek(key: string): KeyState | undefined {
    return this.map.get(key)
  }

  entries(): IterableIterator<[string, KeyState]> {
    return this.map.entries()
  }

  delete(key: string): void {
    this.map.delete(key)
  }

  get size(): number {
    return this.map.size
  }
}

interface CompiledEventRule {
  readonly options: EventRuleOptions
  readonly match: (e: LogEvent) => boolean
  readonly keyOf: (e: LogEvent) => string
  readonly threshold: number
  readonly windowMs: number
  readonly cooldownMs: number
  readonly level: LevelName
  readonly keys: Keys
}

interface CompiledCircuitRule {
  readonly options: CircuitRuleOptions
  readonly sinks: ReadonlySet<string> | undefined
  readonly cooldownMs: number
  readonly level: LevelName
  readonly keys: Keys
}

/** What a circuit rule reads of each sink: its name, status and failures (`health().sinks`). */
export interface SinkStatus {
  readonly name: string
  readonly status: string
  readonly failures?: number | undefined
}

const isCircuitRule = (r: AlertRuleOptions): r is CircuitRuleOptions => r.on === "circuit-open"

const nonNegative = (n: number | undefined, fallback: number): number =>
  n !== undefined && Number.isFinite(n) && n >= 0 ? n : fallback

/** May a key fire now: not active, and its cool-down is over. */
const mayFire = (s: KeyState, now: number, cooldownMs: number): boolean =>
  !s.active && (s.lastFiredAt === undefined || now - s.lastFiredAt >= cooldownMs)

/**
 * The rules of one alert sink (see the header). Settings are validated before they reach
 * here; a value that still slips through falls back to its default.
 */
export class AlertRules {
  private readonly eventRules: ReadonlyArray<CompiledEventRule>
  private readonly circuitRules: ReadonlyArray<CompiledCircuitRule>
  /** The names of the rules, which the firings carry. */
  readonly names: ReadonlySet<string>

  constructor(rules: ReadonlyArray<AlertRuleOptions>) {
    this.names = new Set(rules.map((r) => r.name))
    const events: Array<CompiledEventRule> = []
    const circuits: Array<CompiledCircuitRule> = []
    for (const r of rules) {
      const cooldownMs = nonNegative(r.cooldown, defaultCooldownMs)
      const level = r.alertLevel ?? defaultAlertLevel
      if (isCircuitRule(r)) {
        circuits.push({
          options: r,
          sinks: r.sinks === undefined ? undefined : new Set(r.sinks),
          cooldownMs,
          level,
          keys: new Keys(Number.MAX_SAFE_INTEGER, () => ({
            window: undefined,
            active: false,
            lastFiredAt: undefined
          }))
        })
        continue
      }
      const windowMs =
        r.window !== undefined && Number.isFinite(r.window) && r.window > 0 ? r.window : defaultWindowMs
      const maxKeys =
        r.maxKeys !== undefined && Number.isInteger(r.maxKeys) && r.maxKeys >= 1 ? r.maxKeys : defaultMaxKeys
      events.push({
        options: r,
        match: matcher(r),
        keyOf: keyer(r.by),
        threshold: nonNegative(r.threshold, 0),
        windowMs,
        cooldownMs,
        level,
        keys: new Keys(maxKeys, () => ({
          window: new SlidingCount(windowMs),
          active: false,
          lastFiredAt: undefined
        }))
      })
    }
    this.eventRules = events
    this.circuitRules = circuits
  }

  /** Counts `events` at `now` and returns the firings they cause, in order. */
  observe(events: ReadonlyArray<LogEvent>, now: number): ReadonlyArray<Firing> {
    if (this.eventRules.length === 0) return []
    const out: Array<Firing> = []
    for (const e of events) {
      if (categoryOfEvent(e) === alertCategory) continue
      for (const rule of this.eventRules) {
        if (!rule.match(e)) continue
        const key = rule.keyOf(e)
        const s = rule.keys.get(key)
        const window = s.window as SlidingCount
        // an episode that ended since the key was last seen (its window fell to the threshold)
        if (s.active && window.count(now) <= rule.threshold) s.active = false
        window.add(now)
        const count = window.count(now)
        if (count <= rule.threshold) {
          s.active = false
          continue
        }
        if (!mayFire(s, now, rule.cooldownMs)) continue
        s.active = true
        s.lastFiredAt = now
        out.push(this.eventFiring(rule, key, count, e))
      }
    }
    return out
  }

  /**
   * Lets time pass: event keys whose window's count fell to the threshold are no longer
   * active (and are forgotten once their cool-down is over too); circuit rules read the
   * sinks' health and return their firings.
   */
  check(sinks: ReadonlyArray<SinkStatus>, now: number): ReadonlyArray<Firing> {
    for (const rule of this.eventRules) {
      const stale: Array<string> = []
      for (const [key, s] of rule.keys.entries()) {
        const count = (s.window as SlidingCount).count(now)
        if (count <= rule.threshold) s.active = false
        if (
          count === 0 &&
          !s.active &&
          (s.lastFiredAt === undefined || now - s.lastFiredAt >= rule.cooldownMs)
        )
          stale.push(key)
      }
      for (const key of stale) rule.keys.delete(key)
    }
    const out: Array<Firing> = []
    for (const rule of this.circuitRules) {
      for (const sink of sinks) {
        if (rule.sinks !== undefined && !rule.sinks.has(sink.name)) continue
        const open = sink.status === "circuit-open"
        const s = open ? rule.keys.get(sink.name) : rule.keys.peek(sink.name)
        if (s === undefined) continue
        if (!open) {
          s.active = false
          continue
        }
        if (!mayFire(s, now, rule.cooldownMs)) continue
        s.active = true
        s.lastFiredAt = now
        const fields: Record<string, unknown> = {
          [eventCategoryKey]: alertCategory,
          rule: rule.options.name,
          on: "circuit-open",
          sink: sink.name
        }
        if (sink.failures !== undefined) fields.failures = sink.failures
        out.push({ rule: rule.options.name, level: rule.level, fields })
      }
    }
    return out
  }

  /** Keys an events rule is counting now (for tests of the bound). */
  keyCount(rule: string): number {
    return this.eventRules.find((r) => r.options.name === rule)?.keys.size ?? 0
  }

  private eventFiring(rule: CompiledEventRule, key: string, count: number, e: LogEvent): Firing {
    const fields: Record<string, unknown> = {
      [eventCategoryKey]: alertCategory,
      rule: rule.options.name,
      on: "events",
      count,
      threshold: rule.threshold,
      windowMs: rule.windowMs
    }
    if (rule.options.by !== undefined) {
      fields.by = rule.options.by === "logger" ? "logger" : rule.options.by.field
      fields.key = key
    }
    const message =
      e.message.length > maxTriggerMessage ? `${e.message.slice(0, maxTriggerMessage)}…` : e.message
    fields.trigger = { logger: e.logger, level: e.level, message, timestamp: e.timestamp }
    return { rule: rule.options.name, level: rule.level, fields }
  }
}
