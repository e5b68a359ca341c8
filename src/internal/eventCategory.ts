/**
 * Event categories: what an event is about (a security incident, an audit record, a fired
 * alert...), given by the user field `eventCategory`. Not the logger's category path (the
 * `logger` key, "app.db"): that says where an event comes from, this says what kind of event
 * it is, so that rules (the alert sink) and readers can pick events by kind across loggers.
 *
 * Each documented category has a severity, how urgently someone should look at it; alert
 * rules can match categories by severity. Any other non-empty string is accepted as a
 * category of the user's own, with no severity.
 */

/** Severities in rank order, lowest first. */
export const eventSeverities = ["low", "medium", "high", "critical"] as const

export type EventSeverity = (typeof eventSeverities)[number]

/** The documented categories and their severities (docs/event-schema.md#event-categories). */
export const eventCategories = Object.freeze({
  security: "critical",
  alert: "high",
  audit: "medium",
  availability: "high",
  performance: "medium",
  compliance: "medium",
  business: "low",
  system: "low"
} as const satisfies Readonly<Record<string, EventSeverity>>)

export type KnownEventCategory = keyof typeof eventCategories

/** The field that holds an event's category. */
export const eventCategoryKey = "eventCategory"

/** The category of the events the alert sink logs when a rule fires. */
export const alertCategory: KnownEventCategory = "alert"

/** The rank of a severity (0 for low). */
export const severityRank = (s: EventSeverity): number => eventSeverities.indexOf(s)

/** The severity of a category, undefined for a category of the user's own (or not a string). */
export const severityOf = (category: unknown): EventSeverity | undefined =>
  typeof category === "string" && Object.hasOwn(eventCategories, category)
    ? eventCategories[category as KnownEventCategory]
    : undefined
