/**
 * A local stand-in for the CloudWatch Logs API, for the tests: an HTTP server speaking the AWS
 * JSON 1.1 protocol as the CloudWatch Logs API reference documents it, for the three
 * operations the sink uses (`X-Amz-Target: Logs_20140328.PutLogEvents`, `.CreateLogGroup`,
 * `.CreateLogStream`). Every request's Signature Version 4 is checked against the static test
 * credentials (403 `UnrecognizedClientException` for an unknown key, `InvalidSignatureException`
 * for a wrong signature). PutLogEvents checks what the service checks: the group and stream
 * exist (`ResourceNotFoundException`), at most 10,000 events and 1,048,576 bytes counting 26
 * per event, each event within 256 KB, chronological order and a span of at most 24 hours
 * (`InvalidParameterException`); events older than 14 days or more than 2 hours ahead are
 * refused in `rejectedLogEventsInfo`, the rest stored. Throttling and unavailability are
 * scripted per call by the test (`fault`), answered as the service answers them
 * (`ThrottlingException`, 400; `ServiceUnavailableException`, 503).
 */
import { createHash, createHmac } from "node:crypto"
import { type Answer, listen, type Received, type Receiver } from "../../../test/internal/networkServer.js"

export const CREDENTIALS = Object.freeze({
  accessKeyId: "AKIDFAPILOGTEST00001",
  secretAccessKey: "fapilog/test/secret/key/0123456789abcdefgh"
})
export const REGION = "us-east-1"

export interface StoredEvent {
  readonly timestamp: number
  readonly message: string
}

export interface Call {
  readonly operation: string
  readonly input: Record<string, unknown>
  readonly status: number
  /** The error type answered, if any. */
  readonly error: string | undefined
}

export interface Fault {
  readonly status: number
  readonly type: string
  readonly message?: string | undefined
}

export interface CloudWatchServer {
  readonly endpoint: string
  readonly port: number
  /** Log groups, each with its streams' stored events. */
  readonly groups: Map<string, Map<string, Array<StoredEvent>>>
  /** Every call, in order. */
  readonly calls: Array<Call>
  /** The messages stored in a stream, in order. */
  readonly messages: (group: string, stream: string) => Array<string>
  readonly stop: () => Promise<void>
}

const DAY = 24 * 60 * 60 * 1000

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex")
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest()

/** Checks a request's Signature Version 4 (AWS's documented algorithm); undefined when it is valid. */
export const signatureError = (r: Received, secrets: Readonly<Record<string, string>>): Fault | undefined => {
  const auth = r.headers.authorization ?? ""
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth
    )
  if (m === null)
    return { status: 403, type: "IncompleteSignatureException", message: "bad Authorization header" }
  const [, keyId, date, region, service, signedHeaders, signature] = m as unknown as Array<string>
  const secret = secrets[keyId!]
  if (secret === undefined)
    return {
      status: 400,
      type: "UnrecognizedClientException",
      message: "The security token included in the request is invalid."
    }
  const amzDate = String(r.headers["x-amz-date"] ?? "")
  const names = signedHeaders!.split(";")
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(r.headers[n] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`
    )
    .join("")
  const [path, query = ""] = r.url.split("?")
  const canonical = ["POST", path, query, canonicalHeaders, signedHeaders, sha256(r.body)].join("\n")
  const scope = `${date}/${region}/${service}/aws4_request`
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n")
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), "aws4_request")
  const expected = createHmac("sha256", key).update(toSign).digest("hex")
  if (service !== "logs" || !amzDate.startsWith(date!) || expected !== signature)
    return {
      status: 400,
      type: "InvalidSignatureException",
      message: "The request signature we calculated does not match the signature you provided."
    }
  return undefined
}

const failure = (f: Fault): Answer => ({
  status: f.status,
  headers: {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-errortype": f.type,
    "x-amzn-requestid": "00000000-0000-0000-0000-000000000000"
  },
  body: JSON.stringify({ __type: f.type, message: f.message ?? f.type })
})

const ok = (output: Record<string, unknown> = {}): Answer => ({
  status: 200,
  headers: {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-requestid": "00000000-0000-0000-0000-000000000001"
  },
  body: JSON.stringify(output)
})

const invalid = (message: string): Fault => ({ status: 400, type: "InvalidParameterException", message })

export const startCloudWatch = async (
  options: {
    /** A scripted answer for the n-th call of an operation (0-based), instead of the service's. */
    readonly fault?:
      | ((operation: string, n: number, input: Record<string, unknown>) => Fault | undefined)
      | undefined
    /** Groups (with streams) that exist at start. */
    readonly existing?: Readonly<Record<string, ReadonlyArray<string>>> | undefined
    /** The server's clock (for the 14-day and 2-hour windows). */
    readonly now?: (() => number) | undefined
  } = {}
): Promise<CloudWatchServer> => {
  const groups = new Map<string, Map<string, Array<StoredEvent>>>()
  for (const [group, streams] of Object.entries(options.existing ?? {}))
    groups.set(group, new Map(streams.map((s) => [s, []])))
  const calls: Array<Call> = []
  const counts = new Map<string, number>()
  const now = options.now ?? Date.now
  let sequence = 0

  const putLogEvents = (input: Record<string, unknown>): Answer => {
    const group = groups.get(String(input.logGroupName))
    if (group === undefined)
      return failure({
        status: 400,
        type: "ResourceNotFoundException",
        message: "The specified log group does not exist."
      })
    const stream = group.get(String(input.logStreamName))
    if (stream === undefined)
      return failure({
        status: 400,
        type: "ResourceNotFoundException",
        message: "The specified log stream does not exist."
      })
    const events = input.logEvents as Array<StoredEvent> | undefined
    if (!Array.isArray(events) || events.length === 0) return failure(invalid("logEvents must not be empty"))
    if (events.length > 10_000) return failure(invalid("logEvents: at most 10000 events"))
    let bytes = 0
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!
      if (!Number.isSafeInteger(e.timestamp) || typeof e.message !== "string")
        return failure(invalid(`logEvents.${i}: not a log event`))
      const size = Buffer.byteLength(e.message) + 26
      if (size > 262_144) return failure(invalid(`logEvents.${i}: Log event too large`))
      bytes += size
      if (i > 0 && e.timestamp < events[i - 1]!.timestamp)
        return failure(invalid("Log events in a single PutLogEvents request must be in chronological order."))
    }
    if (bytes > 1_048_576)
      return failure(invalid(`Upload too large: ${bytes} bytes exceeds limit of 1048576`))
    if (events.at(-1)!.timestamp - events[0]!.timestamp > DAY)
      return failure(
        invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
      )
    const t = now()
    const info: Record<string, number> = {}
    events.forEach((e, i) => {
      if (e.timestamp < t - 14 * DAY) info.tooOldLogEventEndIndex = i
      else if (e.timestamp > t + 2 * 60 * 60 * 1000) info.tooNewLogEventStartIndex ??= i
      else stream.push({ timestamp: e.timestamp, message: e.message })
    })
    sequence++
    return ok({
      nextSequenceToken: String(sequence).padStart(56, "0"),
      ...(Object.keys(info).length === 0 ? {} : { rejectedLogEventsInfo: info })
    })
  }

  const operate = (operation: string, input: Record<string, unknown>): Answer => {
    switch (operation) {
      case "CreateLogGroup": {
        const name = String(input.logGroupName)
        if (groups.has(name))
          return failure({
            status: 400,
            type: "ResourceAlreadyExistsException",
            message: "The specified log group already exists"
          })
        groups.set(name, new Map())
        return ok()
      }
      case "CreateLogStream": {
        const group = groups.get(String(input.logGroupName))
        if (group === undefined)
          return failure({
            status: 400,
            type: "ResourceNotFoundException",
            message: "The specified log group does not exist."
          })
        const name = String(input.logStreamName)
        if (group.has(name))
          return failure({
            status: 400,
            type: "ResourceAlreadyExistsException",
            message: "The specified log stream already exists"
          })
        group.set(name, [])
        return ok()
      }
      case "PutLogEvents":
        return putLogEvents(input)
      default:
        return failure({ status: 400, type: "UnknownOperationException" })
    }
  }

  const answer = (r: Received): Answer => {
    const target = String(r.headers["x-amz-target"] ?? "")
    const operation = target.startsWith("Logs_20140328.") ? target.slice("Logs_20140328.".length) : ""
    const record = (input: Record<string, unknown>, a: Answer): Answer => {
      if (a !== "hang")
        calls.push({ operation, input, status: a.status, error: a.headers?.["x-amzn-errortype"] })
      return a
    }
    if (r.headers["content-type"] !== "application/x-amz-json-1.1")
      return record(
        {},
        failure({
          status: 400,
          type: "SerializationException",
          message: "expected application/x-amz-json-1.1"
        })
      )
    const unsigned = signatureError(r, { [CREDENTIALS.accessKeyId]: CREDENTIALS.secretAccessKey })
    if (unsigned !== undefined) return record({}, failure(unsigned))
    let input: Record<string, unknown>
    try {
      input = JSON.parse(r.body.toString("utf8")) as Record<string, unknown>
    } catch {
      return record({}, failure({ status: 400, type: "SerializationException", message: "not JSON" }))
    }
    const n = counts.get(operation) ?? 0
    counts.set(operation, n + 1)
    const fault = options.fault?.(operation, n, input)
    return record(input, fault === undefined ? operate(operation, input) : failure(fault))
  }

  const receiver: Receiver = await listen({ answer })
  return {
    endpoint: `http://127.0.0.1:${receiver.port}`,
    port: receiver.port,
    groups,
    calls,
    messages: (group, stream) =>
      (groups.get(group)?.get(stream) ?? []).map(
        (e) => (JSON.parse(e.message) as { message: string }).message
      ),
    stop: receiver.stop
  }
}
