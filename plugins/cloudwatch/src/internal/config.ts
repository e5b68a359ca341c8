/**
 * The settings of the CloudWatch Logs sink as an `effect/Schema`: what the plugin loader
 * validates a `{ type: "cloudwatch", ... }` entry against, and what `CloudWatch.sink` checks
 * before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"

/** PutLogEvents' documented limits (CloudWatch Logs API reference). */
export const LIMITS = Object.freeze({
  /** Events in one call. */
  maxEvents: 10_000,
  /** Bytes of one call: the UTF-8 messages plus 26 bytes per event. */
  maxBatchBytes: 1_048_576,
  /** What each event counts for beyond its message. */
  eventOverhead: 26,
  /** Bytes of one event, overhead included (256 KB). */
  maxEventBytes: 262_144,
  /** Longest span of the events of one call. */
  maxSpanMs: 24 * 60 * 60 * 1000
})

// the AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-7...
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/
// CreateLogGroup's and CreateLogStream's name rules
const GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/
const STREAM = /^[^:*\0-\x1f\x7f]{1,512}$/

type Credentials = {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
}

const isSecret = (u: unknown): u is string =>
  typeof u === "string" && u.length > 0 && !/[\0-\x1f\x7f]/.test(u)

const isCredentials = (u: unknown): u is Credentials => {
  if (typeof u !== "object" || u === null) return false
  const c = u as Record<string, unknown>
  const keys = Object.keys(c)
  return (
    keys.every((k) => k === "accessKeyId" || k === "secretAccessKey" || k === "sessionToken") &&
    isSecret(c.accessKeyId) &&
    isSecret(c.secretAccessKey) &&
    (c.sessionToken === undefined || isSecret(c.sessionToken))
  )
}

const fields = {
  ...Network.deliveryFields,
  region: Plugin.accepted(
    "Region",
    (u: unknown): u is string => typeof u === "string" && REGION.test(u),
    "an AWS region name, e.g. us-east-1 or eu-west-2"
  ),
  logGroup: Plugin.accepted(
    "LogGroup",
    (u: unknown): u is string => typeof u === "string" && GROUP.test(u),
    "a log group name: 1 to 512 of letters, digits and _ - / . #"
  ),
  logStream: Plugin.optional(
    Plugin.accepted(
      "LogStream",
      (u: unknown): u is string => typeof u === "string" && STREAM.test(u),
      "a log stream name: 1 to 512 characters, without : * or control characters"
    )
  ),
  endpoint: Plugin.optional(
    Network.url({
      identifier: "CloudWatchEndpoint",
      description:
        "Another endpoint than the region's (a VPC endpoint, LocalStack, a test server), e.g. http://127.0.0.1:4566.",
      credentials: "credentials: { accessKeyId, secretAccessKey }"
    })
  ),
  credentials: Plugin.optional(
    Plugin.accepted(
      "AwsCredentials",
      isCredentials,
      "{ accessKeyId, secretAccessKey, sessionToken? } (non-empty strings); leave it out to use the AWS SDK's default chain (environment, profile, instance role)"
    )
  ),
  createMissing: Plugin.optional(
    Plugin.accepted("Boolean", (u): u is boolean => typeof u === "boolean", "true or false")
  ),
  // PutLogEvents' limits are the bounds: a request never holds more than one call takes
  batch: Plugin.optional(
    Schema.Struct({
      maxEvents: Plugin.optional(
        Plugin.wholeNumber(
          1,
          LIMITS.maxEvents,
          "events",
          "Most events in one PutLogEvents call (AWS: 10,000)."
        )
      ),
      maxBytes: Plugin.optional(
        Plugin.wholeNumber(
          1024,
          64 * LIMITS.maxBatchBytes,
          "bytes",
          "Most bytes in one request (sent in PutLogEvents calls of at most 1,048,576 bytes each)."
        )
      ),
      maxWaitMs: Plugin.optional(
        Plugin.wholeNumber(0, 3_600_000, "milliseconds", "Longest an event waits for its request to fill.")
      )
    })
  )
}

/** The CloudWatch Logs sink's config: its own keys plus the delivery ones (batch, retry, spool...). */
export const Config = Schema.Struct(fields)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded
