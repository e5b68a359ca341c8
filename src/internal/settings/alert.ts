/**
 * The alert sink entry, `{ type: "alert", rules, notify?, checkInterval? }` (docs/alerting.md):
 * its rules are checked here; its `notify` entries are ordinary sink entries, checked by the
 * list check that sinks.ts hands to {@link alertEntry} (so this module does not import it).
 */
import type { AlertKey, CircuitRuleOptions, EventRuleOptions, FieldValue } from "../alerting.js"
import { categoryRule, isCategory } from "../categories.js"
import { accepted, oneOf, show, wholeNumber } from "../configSchema.js"
import { eventSeverities } from "../eventCategory.js"
import {
  by,
  type Check,
  type CheckedObject,
  check,
  checkKeys,
  type Issues,
  interval,
  isRecord,
  level,
  literal,
  object,
  required,
  type ShapeOf,
  stringList,
  type WrittenObject
} from "./shape.js"

const ruleKinds = ["events", "circuit-open"] as const

const name = by(
  accepted(
    "RuleName",
    (u: unknown): u is string => typeof u === "string" && u.trim().length > 0 && u.length <= 200,
    "a rule name (a non-empty string of at most 200 characters)",
    "Names the rule in its firings."
  )
)

/** A non-empty list of categories. */
const categories = check<ReadonlyArray<string>>((v, at, issues) => {
  if (!Array.isArray(v) || v.length === 0 || !v.every(isCategory)) {
    issues.push({
      path: at,
      message: `${show(v)} is not a non-empty list of categories; each is ${categoryRule}`
    })
    return undefined
  }
  return v as ReadonlyArray<string>
})

/** One event category or a non-empty list of them. */
const eventCategory = check<ReadonlyArray<string>, string | ReadonlyArray<string>>((v, at, issues) => {
  const list = typeof v === "string" ? [v] : v
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((c) => typeof c === "string" && c.length > 0)
  ) {
    issues.push({
      path: at,
      message: `${show(v)} is not an event category or a non-empty list of them (non-empty strings; documented: security, alert, audit, availability, performance, compliance, business, system)`
    })
    return undefined
  }
  return list as ReadonlyArray<string>
})

const isFieldValue = (u: unknown): u is FieldValue =>
  u === null ||
  typeof u === "string" ||
  typeof u === "boolean" ||
  (typeof u === "number" && Number.isFinite(u))

/** `{ field: value }`: the values an event's fields must hold. */
const fieldValues = check<Readonly<Record<string, FieldValue>>>((v, at, issues) => {
  if (!isRecord(v) || Object.keys(v).length === 0) {
    issues.push({
      path: at,
      message: `${show(v)} is not an object of field values ({ code: "ETIMEDOUT", ... })`
    })
    return undefined
  }
  const before = issues.length
  for (const [k, value] of Object.entries(v))
    if (!isFieldValue(value))
      issues.push({
        path: `${at}.${k}`,
        message: `${show(value)} is not a field value to compare with: a string, a finite number, true, false or null`
      })
  return issues.length > before ? undefined : (v as Readonly<Record<string, FieldValue>>)
})

const byRule = 'one of "logger", or { field: "<a field name>" }'

const alertKey = check<AlertKey>((v, at, issues) => {
  if (v === "logger") return v
  if (isRecord(v) && Object.keys(v).length === 1 && typeof v.field === "string" && v.field.length > 0)
    return { field: v.field }
  issues.push({ path: at, message: `${show(v)} is not ${byRule}` })
  return undefined
})

/** A period that may be 0: milliseconds, or a string such as "30s", "5m". */
const cooldown = check<number, number | string>((v, at, issues) => (v === 0 ? 0 : interval(v, at, issues)))

const eventRuleShape = {
  /** Names the rule in its firings; unique within the sink. */
  name: required(name, "is required: a name for the rule"),
  /** "events" (the default) or "circuit-open". */
  on: literal("events"),
  /** Events at this level or above. */
  level,
  /** Only events of loggers in these categories. */
  categories,
  /** No events of loggers in these categories. */
  excludeCategories: categories,
  /** Only events whose `eventCategory` field is this one (or one of these). */
  eventCategory,
  /** Only events whose documented `eventCategory` has this severity or a higher one. */
  minSeverity: by(oneOf(eventSeverities, "Lowest severity of the event's category.")),
  /** Only events whose message contains this text. */
  message: by(
    accepted(
      "Text",
      (u: unknown): u is string => typeof u === "string" && u.length > 0,
      "a non-empty string",
      "Text the message contains."
    )
  ),
  /** Only events whose fields hold these values. */
  fields: fieldValues,
  /** The rule is due when more than this many events matched within the window (default 0). */
  threshold: by(wholeNumber(0, 1_000_000_000, "events", "Events allowed within the window.")),
  /** The sliding window: milliseconds or a string such as "30s" (default "1m"). */
  window: interval,
  /** Count and fire per logger or per value of a field. */
  by: alertKey,
  /** Least time between two firings of one key (default "5m"; 0: none). */
  cooldown,
  /** Level of the "alert fired" event (default "error"). */
  alertLevel: level,
  /** Most keys counted at once (default 1000). */
  maxKeys: by(wholeNumber(1, 1_000_000, "keys", "Most keys counted at once."))
} satisfies ShapeOf<EventRuleOptions>

const circuitRuleShape = {
  name: required(name, "is required: a name for the rule"),
  on: required(literal("circuit-open")),
  /** Only these sinks, by their names in `health()`; default every sink. */
  sinks: stringList,
  cooldown,
  alertLevel: level
} satisfies ShapeOf<CircuitRuleOptions>

const eventRule = object(eventRuleShape, "an events alert rule")
const circuitRule = object(circuitRuleShape, "a circuit-open alert rule")

/** An events rule as written: "more than `threshold` matching events within `window`". */
export type EventRuleSetting = WrittenObject<typeof eventRuleShape>

/** A circuit rule as written: fires for each sink whose circuit breaker is open. */
export type CircuitRuleSetting = WrittenObject<typeof circuitRuleShape>

/** One rule of an alert sink. */
export type AlertRuleSetting = EventRuleSetting | CircuitRuleSetting

/** A rule after its check (periods in milliseconds). */
export type ValidAlertRule = CheckedObject<typeof eventRuleShape> | CheckedObject<typeof circuitRuleShape>

/** A non-empty list of rules with distinct names. */
const rules: Check<ReadonlyArray<ValidAlertRule>, ReadonlyArray<AlertRuleSetting>> = (v, at, issues) => {
  if (!Array.isArray(v) || v.length === 0) {
    issues.push({ path: at, message: `${show(v)} is not a non-empty array of alert rules` })
    return undefined
  }
  const before = issues.length
  const out: Array<ValidAlertRule> = []
  const seen = new Map<string, number>()
  v.forEach((r, i) => {
    const where = `${at}[${i}]`
    if (isRecord(r) && r.on !== undefined && !(ruleKinds as ReadonlyArray<unknown>).includes(r.on)) {
      issues.push({ path: `${where}.on`, message: `${show(r.on)} is not one of ${ruleKinds.join(", ")}` })
      return
    }
    const parsed =
      isRecord(r) && r.on === "circuit-open" ? circuitRule(r, where, issues) : eventRule(r, where, issues)
    if (parsed === undefined) return
    const first = seen.get(parsed.name)
    if (first !== undefined)
      issues.push({
        path: `${where}.name`,
        message: `${show(parsed.name)} is the name of ${at}[${first}] too: rule names are unique within an alert sink`
      })
    else seen.set(parsed.name, i)
    out.push(parsed)
  })
  return issues.length > before ? undefined : out
}

/** `{ type: "alert", rules, notify?, checkInterval? }`, with `S` the sink entries of `notify`. */
export interface AlertSinkSetting<S> {
  readonly type: "alert"
  /** The rules (at least one). */
  readonly rules: ReadonlyArray<AlertRuleSetting>
  /** Where firings are sent besides the logger's sinks: a sink entry or a list of them. */
  readonly notify?: S | ReadonlyArray<S> | undefined
  /** How often circuit rules read the sinks' health: milliseconds or "5s" (default 1 s). */
  readonly checkInterval?: number | string | undefined
}

/** An alert sink entry after its check. */
export interface ValidAlertSink<V> {
  readonly type: "alert"
  readonly rules: ReadonlyArray<ValidAlertRule>
  readonly notify: ReadonlyArray<V>
  readonly checkInterval?: number | undefined
}

const entryKeys = "type, rules, notify, checkInterval"

/**
 * The check of an alert entry, given the check of a non-empty list of sink entries (sinks.ts),
 * which `notify` is read with (a single entry is a list of one).
 */
export const alertEntry =
  <V>(sinkList: Check<ReadonlyArray<V>, unknown>) =>
  (u: Record<string, unknown>, at: string, issues: Issues): ValidAlertSink<V> | undefined => {
    const before = issues.length
    const parsed = checkKeys(
      {
        type: literal("alert"),
        rules: required(rules, "is required: a non-empty array of alert rules (docs/alerting.md)"),
        notify: (v, where, list) => sinkList(Array.isArray(v) ? v : [v], where, list),
        checkInterval: interval
      },
      u,
      (k) => `${at}.${k}`,
      `is not a key of an alert sink; accepted: ${entryKeys}`,
      issues
    )
    // with problems, the notify entries that could be read still name their plugins, so that
    // a missing one is reported in the same pass
    if (issues.length > before && parsed.notify === undefined) return undefined
    const out: ValidAlertSink<V> = {
      type: "alert",
      rules: (parsed.rules as ReadonlyArray<ValidAlertRule> | undefined) ?? [],
      notify: (parsed.notify as ReadonlyArray<V> | undefined) ?? [],
      ...(parsed.checkInterval === undefined ? {} : { checkInterval: parsed.checkInterval as number })
    }
    return out
  }
