/**
 * The delivery settings of the sinks delivered by `streamDelivery.ts` (syslog, PostgreSQL),
 * as Schema fields to spread into a plugin's config: the network sinks' names and bounds
 * (`batch`, `retry`, `capacity`, `drainTimeoutMs`), without what only HTTP has (headers,
 * `Retry-After`, the spool) and without `retry.maxAttempts`: a batch is retried until the
 * destination takes it, for as long as the sink is open.
 */
import * as Schema from "effect/Schema"
import { Plugin } from "fapilog"
import type { Options } from "./streamDelivery.js"

export const deliveryFields = {
  batch: Plugin.optional(
    Schema.Struct({
      maxEvents: Plugin.optional(Plugin.wholeNumber(1, 1_000_000, "events", "Most events in one batch.")),
      maxBytes: Plugin.optional(
        Plugin.wholeNumber(1, 1_073_741_824, "bytes", "Most bytes in one batch (approximate, per event).")
      ),
      maxWaitMs: Plugin.optional(
        Plugin.wholeNumber(0, 3_600_000, "milliseconds", "Longest an event waits for its batch to fill.")
      )
    })
  ),
  retry: Plugin.optional(
    Schema.Struct({
      initialDelayMs: Plugin.optional(
        Plugin.wholeNumber(1, 3_600_000, "milliseconds", "First retry delay (doubles, jittered).")
      ),
      maxDelayMs: Plugin.optional(Plugin.wholeNumber(1, 3_600_000, "milliseconds", "Cap of one retry delay."))
    })
  ),
  capacity: Plugin.optional(
    Plugin.wholeNumber(1, 10_000_000, "events", "Events the sink holds before write waits.")
  ),
  drainTimeoutMs: Plugin.optional(
    Plugin.wholeNumber(0, 3_600_000, "milliseconds", "Longest the sink keeps delivering when it closes.")
  )
}

/** The decoded values of {@link deliveryFields}. */
export type DeliveryConfig = Schema.Struct.Type<typeof deliveryFields>

/** The delivery options the config sets (unset ones are left out, so the defaults apply). */
export const deliveryOptions = (config: DeliveryConfig): Omit<Options, "name" | "report"> => ({
  ...(config.capacity === undefined ? {} : { capacity: config.capacity }),
  ...(config.batch?.maxEvents === undefined ? {} : { maxEvents: config.batch.maxEvents }),
  ...(config.batch?.maxBytes === undefined ? {} : { maxBytes: config.batch.maxBytes }),
  ...(config.batch?.maxWaitMs === undefined ? {} : { maxWaitMs: config.batch.maxWaitMs }),
  ...(config.retry?.initialDelayMs === undefined ? {} : { initialDelayMs: config.retry.initialDelayMs }),
  ...(config.retry?.maxDelayMs === undefined ? {} : { maxDelayMs: config.retry.maxDelayMs }),
  ...(config.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: config.drainTimeoutMs })
})
