/**
 * A local stand-in for Datadog's logs intake (`POST /api/v2/logs`), answering as Datadog's API
 * reference documents it (https://docs.datadoghq.com/api/latest/logs/#send-logs): the
 * `DD-API-KEY` header checked (403 without a valid key), a body that is not a JSON array or
 * object of entries refused (400), a payload over 5 MB uncompressed or an array of more than
 * 1000 entries refused (413), `Content-Encoding: gzip` or `deflate` read, and 202 with `{}` for
 * what it takes. An entry over 1 MB is taken (Datadog truncates it) and counted in
 * `oversized`, which a well-behaved client keeps at zero. Faults (429, 5xx) are scripted per
 * request by the test.
 */
import { gunzipSync, inflateSync } from "node:zlib"
import type { Answer, Received } from "../../../test/internal/networkServer.js"

export const API_KEY = "0123456789abcdef0123456789abcdef"

export const MAX_PAYLOAD_BYTES = 5_000_000
export const MAX_ENTRIES = 1000
export const MAX_ENTRY_BYTES = 1_000_000

/** The uncompressed body of a request, as the intake reads it (undefined: an encoding it does not know). */
export const payloadOf = (r: Received): Buffer | undefined => {
  const encoding = r.headers["content-encoding"]
  if (encoding === undefined || encoding === "identity") return r.body
  if (encoding === "gzip") return gunzipSync(r.body)
  if (encoding === "deflate") return inflateSync(r.body)
  return undefined
}

/** The entries of a request (an array, or one object). */
export const entriesOf = (r: Received): Array<Record<string, unknown>> => {
  const payload = payloadOf(r)
  if (payload === undefined) throw new Error(`unknown Content-Encoding ${r.headers["content-encoding"]}`)
  const value = JSON.parse(payload.toString("utf8")) as unknown
  return (Array.isArray(value) ? value : [value]) as Array<Record<string, unknown>>
}

/** What the intake answers a request, as documented; `oversized` counts entries over 1 MB. */
export const intakeAnswer = (
  r: Received,
  apiKey: string = API_KEY,
  counters: { oversized: number } = { oversized: 0 }
): Answer => {
  if (r.headers["dd-api-key"] !== apiKey)
    return { status: 403, headers: { "content-type": "application/json" }, body: '{"errors":["Forbidden"]}' }
  let payload: Buffer | undefined
  try {
    payload = payloadOf(r)
  } catch {
    payload = undefined
  }
  if (payload === undefined)
    return {
      status: 400,
      body: '{"errors":[{"status":"400","title":"Bad Request","detail":"cannot decode body"}]}'
    }
  if (payload.byteLength > MAX_PAYLOAD_BYTES)
    return { status: 413, body: '{"errors":[{"status":"413","title":"Payload Too Large"}]}' }
  let value: unknown
  try {
    value = JSON.parse(payload.toString("utf8"))
  } catch {
    return {
      status: 400,
      body: '{"errors":[{"status":"400","title":"Bad Request","detail":"invalid JSON"}]}'
    }
  }
  const entries = Array.isArray(value) ? value : [value]
  if (entries.length > MAX_ENTRIES)
    return { status: 413, body: '{"errors":[{"status":"413","title":"Payload Too Large"}]}' }
  if (entries.some((e) => typeof e !== "object" || e === null || Array.isArray(e)))
    return {
      status: 400,
      body: '{"errors":[{"status":"400","title":"Bad Request","detail":"not a log entry"}]}'
    }
  for (const e of entries) if (Buffer.byteLength(JSON.stringify(e)) > MAX_ENTRY_BYTES) counters.oversized++
  return { status: 202, headers: { "content-type": "application/json" }, body: "{}" }
}
