import * as Schema from "effect/Schema"
import { accepted, optional, show, wholeNumber as whole } from "./configSchema.js"

const path = accepted(
  "Directory",
  (u: unknown): u is string => typeof u === "string" && u.length > 0 && !u.includes("\0"),
  "a directory path",
  "A directory path; relative paths resolve against the working directory."
)

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

// a record key must be a refinement of string (a declared schema is refused as a key)
const HeaderName = Schema.String.pipe(
  Schema.pattern(TOKEN, {
    identifier: "HeaderName",
    message: (issue) => `${show(issue.actual)} is not an HTTP header name`
  })
)

// a value must not smuggle a line break (or any control character but tab) into the request
const HeaderValue = accepted(
  "HeaderValue",
  (u: unknown): u is string => typeof u === "string" && !/[\0-\x08\x0a-\x1f\x7f]/.test(u),
  "a header value (a string without control characters)"
)

const headerRecord = Schema.Record({ key: HeaderName, value: HeaderValue }).annotations({
  identifier: "Headers",
  description: "HTTP headers sent with every request (authorization, tenant...)."
})

const isHttpUrl = (u: unknown): u is string => {
  if (typeof u !== "string") return false
  try {
    const url = new URL(u)
    return (
      (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === ""
    )
  } catch {
    return false
  }
}

export interface UrlOptions {
  readonly identifier?: string | undefined
  readonly description?: string | undefined
  /** Where credentials go instead of the URL, for the message (e.g. "headers: { authorization }"). */
  readonly credentials?: string | undefined
}

/** An http:// or https:// URL without credentials, with a message naming the bad value. */
export const url = (options: UrlOptions = {}): Schema.Schema<string> =>
  Schema.declare(isHttpUrl, {
    identifier: options.identifier ?? "Url",
    description: options.description ?? "An http:// or https:// endpoint.",
    message: (issue) =>
      typeof issue.actual === "string" && /^https?:\/\/[^/]*@/.test(issue.actual)
        ? `must not carry credentials: use ${options.credentials ?? "headers: { authorization }"}`
        : `${show(issue.actual)} is not an http:// or https:// URL`
  })

/** The delivery settings of every network sink, whatever its transport, as Schema fields to spread. */
export const deliveryFields = {
  batch: optional(
    Schema.Struct({
      maxEvents: optional(whole(1, 1_000_000, "events", "Most events in one request.")),
      maxBytes: optional(
        whole(1, 1_073_741_824, "bytes", "Most encoded bytes in one request (approximate, per event).")
      ),
      maxWaitMs: optional(
        whole(0, 3_600_000, "milliseconds", "Longest an event waits for its request to fill.")
      )
    })
  ),
  retry: optional(
    Schema.Struct({
      maxAttempts: optional(
        whole(1, 1_000, "attempts", "Attempts per request before it is spooled or lost.")
      ),
      initialDelayMs: optional(whole(1, 3_600_000, "milliseconds", "First retry delay (doubles, jittered).")),
      maxDelayMs: optional(whole(1, 3_600_000, "milliseconds", "Cap of one retry delay."))
    })
  ),
  timeoutMs: optional(whole(1, 3_600_000, "milliseconds", "Time limit of one delivery attempt.")),
  capacity: optional(whole(1, 10_000_000, "events", "Events the sink holds before write waits.")),
  drainTimeoutMs: optional(
    whole(0, 3_600_000, "milliseconds", "Longest the sink keeps delivering when it closes.")
  ),
  circuitBreaker: optional(
    Schema.Struct({
      failureThreshold: optional(
        whole(1, 1_000_000, "failures", "Consecutive failed requests that open the breaker.")
      ),
      resetMs: optional(whole(1, 86_400_000, "milliseconds", "Time the breaker stays open."))
    })
  ),
  spool: optional(
    Schema.Struct({
      directory: path,
      maxBytes: optional(whole(1, Number.MAX_SAFE_INTEGER, "bytes", "Largest size of the spool file."))
    })
  )
}

/** The config fields every HTTP network plugin accepts: {@link deliveryFields} and `headers`. */
export const configFields = {
  headers: optional(headerRecord),
  ...deliveryFields
}

/** The decoded values of {@link configFields}. */
export type Config = Schema.Struct.Type<typeof configFields>
