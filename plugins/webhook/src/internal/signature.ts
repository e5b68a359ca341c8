import * as crypto from "node:crypto"

/** The headers the webhook sink sends with every attempt. */
export const headerNames = Object.freeze({
  /** Unix time in seconds when the attempt was signed. */
  timestamp: "x-fapilog-timestamp",
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`; several comma-separated during a secret rotation. */
  signature: "x-fapilog-signature",
  /** Hex SHA-256 of the body (first 32 characters): the same for every attempt and replay of a request. */
  deliveryId: "x-fapilog-delivery-id",
  /** 1 for the first attempt of a request, 2 for its first retry... */
  attempt: "x-fapilog-attempt"
})

export const defaultToleranceSeconds = 300

const bytesOf = (body: string | Uint8Array): Uint8Array =>
  typeof body === "string" ? Buffer.from(body, "utf8") : body

/** Hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`. */
export const computeSignature = (
  secret: string,
  timestamp: number | string,
  body: string | Uint8Array
): string =>
  crypto.createHmac("sha256", secret).update(`${timestamp}.`, "utf8").update(bytesOf(body)).digest("hex")

/** The delivery id of a body: stable across attempts and replays, for receivers that deduplicate. */
export const deliveryId = (body: Uint8Array): string =>
  crypto.createHash("sha256").update(body).digest("hex").slice(0, 32)

/** The signing headers of one attempt. */
export const signHeaders = (
  secret: string | undefined,
  body: Uint8Array,
  attempt: number,
  now: number = Date.now()
): Record<string, string> => {
  const headers: Record<string, string> = {
    [headerNames.deliveryId]: deliveryId(body),
    [headerNames.attempt]: String(attempt)
  }
  if (secret !== undefined) {
    const timestamp = Math.floor(now / 1000)
    headers[headerNames.timestamp] = String(timestamp)
    headers[headerNames.signature] = `v1=${computeSignature(secret, timestamp, body)}`
  }
  return headers
}

export interface VerifyOptions {
  /** The shared secret; several during a rotation (any may match). */
  readonly secret: string | ReadonlyArray<string>
  /** The raw request body, exactly as received (before any JSON parsing). */
  readonly body: string | Uint8Array
  /** The `x-fapilog-timestamp` header. */
  readonly timestamp: string | number | null | undefined
  /** The `x-fapilog-signature` header. */
  readonly signature: string | null | undefined
  /** Largest accepted distance between the timestamp and now, in seconds (default 300). */
  readonly toleranceSeconds?: number | undefined
  /** Now, in milliseconds (default `Date.now()`). */
  readonly now?: number | undefined
}

const HEX = /^[0-9a-f]{64}$/i

/**
 * Whether a request is authentic and fresh: its timestamp is within the tolerance of now,
 * and one of its `v1=` signatures is the HMAC of `<timestamp>.<body>` under one of the
 * secrets (compared in constant time). Never throws: a malformed header is `false`.
 */
export const verify = (options: VerifyOptions): boolean => {
  try {
    const stamp = typeof options.timestamp === "number" ? String(options.timestamp) : options.timestamp
    if (typeof stamp !== "string" || !/^\d{1,15}$/.test(stamp.trim())) return false
    const timestamp = Number(stamp.trim())
    const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds
    const now = (options.now ?? Date.now()) / 1000
    if (!(Math.abs(now - timestamp) <= tolerance)) return false
    if (typeof options.signature !== "string") return false
    const candidates = options.signature
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part.startsWith("v1="))
      .map((part) => part.slice(3))
      .filter((hex) => HEX.test(hex))
      .map((hex) => Buffer.from(hex, "hex"))
    if (candidates.length === 0) return false
    const secrets = typeof options.secret === "string" ? [options.secret] : options.secret
    let ok = false
    for (const secret of secrets) {
      if (typeof secret !== "string" || secret === "") continue
      const expected = Buffer.from(computeSignature(secret, stamp.trim(), options.body), "hex")
      // every comparison runs: the time taken does not tell which one matched
      for (const candidate of candidates) if (crypto.timingSafeEqual(expected, candidate)) ok = true
    }
    return ok
  } catch {
    return false
  }
}
