/**
 * What every HTTP integration shares (the @effect/platform middleware, Express, Fastify):
 * options and their validation, correlation ids, W3C traceparent, client address behind
 * trusted proxies, header redaction, skip paths and the access-log fields. Plain functions
 * over plain values: each adapter turns its framework's request into these inputs.
 */
import { createHash, randomFillSync, timingSafeEqual } from "node:crypto"
import { ConfigError, type ConfigIssue } from "../Errors.js"
import { categoryOf, type LevelState, levelIn } from "./categories.js"
import { isLevelName, type LevelName, levelNames } from "./level.js"
import { checkMetricsPath, defaultMetricsPath } from "./metricsServer.js"

/** Headers that never appear in a log unless the user explicitly asks for them. */
export const defaultSensitiveHeaders: ReadonlyArray<string> = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-access-token",
  "x-refresh-token",
  "x-csrf-token",
  "x-xsrf-token",
  "x-amz-security-token",
  "x-goog-iam-authorization-token",
  "x-hub-signature",
  "x-hub-signature-256"
]

/** A level, or a level chosen from the response status. */
export type StatusLevel = LevelName | ((status: number) => LevelName)

export interface AccessLogOptions {
  /** Default: `info` below 400, `warn` for 4xx, `error` for 5xx. */
  readonly level?: StatusLevel | undefined
  /** Paths with no access line: exact (`/health`) or globs (`*` one segment, `**` any). */
  readonly skipPaths?: ReadonlyArray<string> | undefined
  /** Fraction (0..1) of successful (< 400) requests that get an access line. Default 1. */
  readonly sampleRate?: number | undefined
  /** Log request and response headers (sensitive ones redacted). Default false. */
  readonly headers?: boolean | undefined
  /** Extra header names to redact (added to the defaults). */
  readonly redactHeaders?: ReadonlyArray<string> | undefined
  /** Log the request body, up to `maxBytes` (default 4096), JSON parsed when it is JSON. Default false. */
  readonly body?: boolean | { readonly maxBytes?: number | undefined } | undefined
  /** Message of the access line. Default "request completed". */
  readonly message?: string | undefined
}

export interface LevelEndpointOptions {
  /** The secret a caller presents as `Authorization: Bearer <token>`. Required. */
  readonly token: string
  /** Default `/-/log-level`. */
  readonly path?: string | undefined
}

/** The options every HTTP integration takes. */
export interface HttpOptions {
  /** Header carrying the correlation id in and out. Default `x-request-id`. */
  readonly correlationHeader?: string | undefined
  /**
   * Makes a new correlation id (when the request has none, or an unsafe one). Default: 128
   * random bits as 32 lowercase hex characters.
   */
  readonly generateId?: (() => string) | undefined
  /** Longest accepted incoming correlation id. Default 128. */
  readonly maxIdLength?: number | undefined
  /**
   * Whom to believe about the client address in `x-forwarded-for`: false (default: the
   * socket's peer), true (the left-most address), a number of proxy hops, or the addresses
   * of your proxies.
   */
  readonly trustProxy?: boolean | number | ReadonlyArray<string> | undefined
  /** The access log (one line per request), or false for none. Default on. */
  readonly accessLog?: AccessLogOptions | false | undefined
  /** Log failures and defects of handlers once, at error. Default true. */
  readonly logErrors?: boolean | undefined
  /** The live log-level endpoint: off unless a token is given. */
  readonly levelEndpoint?: LevelEndpointOptions | undefined
  /**
   * Serve fapilog's self-metrics (Prometheus text, every logger of the process created with
   * `metrics: true`) on `GET /metrics`, or on `path`; scrapes get no access line. Default off.
   */
  readonly metrics?: boolean | MetricsRouteOptions | undefined
}

export interface MetricsRouteOptions {
  /** Default `/metrics`. */
  readonly path?: string | undefined
}

/** Options after validation and defaults. */
export interface HttpConfig {
  readonly header: string
  readonly generateId: () => string
  readonly maxIdLength: number
  readonly trustProxy: boolean | number | ReadonlySet<string>
  readonly access:
    | {
        readonly level: (status: number) => LevelName
        readonly skip: (path: string) => boolean
        readonly sampleRate: number
        readonly headers: boolean
        readonly sensitive: ReadonlySet<string>
        readonly bodyBytes: number
        readonly message: string
      }
    | undefined
  readonly logErrors: boolean
  readonly levelEndpoint: { readonly path: string; readonly digest: Buffer } | undefined
  /** The path the self-metrics are served on; undefined when they are not. */
  readonly metricsPath: string | undefined
}

const defaultLevel = (status: number): LevelName =>
  status >= 500 ? "error" : status >= 400 ? "warn" : "info"

const tokenChar = /^[\x21-\x7e]+$/

/** Globs: `*` matches within one path segment, `**` across segments; everything else is literal. */
export const pathMatcher = (patterns: ReadonlyArray<string>): ((path: string) => boolean) => {
  const exact = new Set<string>()
  const globs: Array<RegExp> = []
  for (const p of patterns) {
    if (!p.includes("*")) {
      exact.add(p)
      continue
    }
    let source = ""
    for (let i = 0; i < p.length; i++) {
      const c = p[i] as string
      if (c === "*" && p[i + 1] === "*") {
        source += ".*"
        i++
      } else if (c === "*") source += "[^/]*"
      else source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    }
    globs.push(new RegExp(`^${source}$`))
  }
  if (globs.length === 0) return (path) => exact.has(path)
  return (path) => exact.has(path) || globs.some((g) => g.test(path))
}

const sha256 = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest()

/** Constant-time check of a presented token against the configured one (compares digests). */
export const tokenMatches = (digest: Buffer, presented: string | undefined): boolean =>
  presented !== undefined && timingSafeEqual(digest, sha256(presented))

/** Validates options once, at setup: every problem named with its path and the accepted values. */
export const resolveOptions = (options: HttpOptions | undefined, where: string): HttpConfig => {
  const o = options ?? {}
  const issues: Array<ConfigIssue> = []
  const at = (path: string, message: string) => issues.push({ path: `${where}.${path}`, message })
  const header = o.correlationHeader ?? "x-request-id"
  if (typeof header !== "string" || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(header))
    at("correlationHeader", `${JSON.stringify(header)} is not an HTTP header name`)
  if (o.generateId !== undefined && typeof o.generateId !== "function")
    at("generateId", "must be a function returning a string")
  const maxIdLength = o.maxIdLength ?? 128
  if (!Number.isInteger(maxIdLength) || maxIdLength < 8 || maxIdLength > 1024)
    at("maxIdLength", `${String(maxIdLength)} is not an integer from 8 to 1024`)
  let trustProxy: HttpConfig["trustProxy"] = false
  const tp = o.trustProxy
  if (typeof tp === "boolean") trustProxy = tp
  else if (typeof tp === "number") {
    if (!Number.isInteger(tp) || tp < 0) at("trustProxy", `${tp} is not a whole number of proxy hops`)
    trustProxy = tp
  } else if (Array.isArray(tp)) {
    if (!tp.every((a) => typeof a === "string" && a !== ""))
      at("trustProxy", "must list proxy addresses as non-empty strings")
    trustProxy = new Set(tp.filter((a): a is string => typeof a === "string").map(normalizeAddress))
  } else if (tp !== undefined)
    at("trustProxy", `${JSON.stringify(tp)} is not one of: true, false, a hop count, a list of addresses`)

  let access: HttpConfig["access"]
  if (o.accessLog !== false) {
    const a = o.accessLog ?? {}
    const lv = a.level
    let level: (status: number) => LevelName = defaultLevel
    if (typeof lv === "function") {
      const chosen = lv
      level = (status) => {
        try {
          const name = chosen(status)
          return isLevelName(name) ? name : defaultLevel(status)
        } catch {
          return defaultLevel(status)
        }
      }
    } else if (lv !== undefined) {
      if (!isLevelName(lv))
        at("accessLog.level", `${JSON.stringify(lv)} is not one of ${levelNames.join(", ")} or a function`)
      else level = () => lv
    }
    const sampleRate = a.sampleRate ?? 1
    if (typeof sampleRate !== "number" || !(sampleRate >= 0 && sampleRate <= 1))
      at("accessLog.sampleRate", `${String(sampleRate)} is not a number from 0 to 1`)
    const skipPaths = a.skipPaths ?? []
    if (!Array.isArray(skipPaths) || !skipPaths.every((p) => typeof p === "string" && p.startsWith("/")))
      at("accessLog.skipPaths", "must be a list of paths starting with / (globs: * and **)")
    const extra = a.redactHeaders ?? []
    if (!Array.isArray(extra) || !extra.every((h) => typeof h === "string"))
      at("accessLog.redactHeaders", "must be a list of header names")
    const body = a.body ?? false
    const bodyBytes = body === false ? 0 : body === true ? 4096 : (body.maxBytes ?? 4096)
    if (!Number.isInteger(bodyBytes) || bodyBytes < 0 || bodyBytes > 1_048_576)
      at("accessLog.body.maxBytes", `${String(bodyBytes)} is not an integer from 0 to 1048576`)
    access = {
      level,
      skip: Array.isArray(skipPaths) ? pathMatcher(skipPaths) : () => false,
      sampleRate,
      headers: a.headers === true,
      sensitive: new Set(
        [...defaultSensitiveHeaders, ...(Array.isArray(extra) ? extra : [])]
          .filter((h): h is string => typeof h === "string")
          .map(lower)
      ),
      bodyBytes,
      message: a.message ?? "request completed"
    }
  }
  let levelEndpoint: HttpConfig["levelEndpoint"]
  if (o.levelEndpoint !== undefined) {
    const { token, path = "/-/log-level" } = o.levelEndpoint
    if (typeof token !== "string" || !/^[\x21-\x7e]{16,}$/.test(token))
      at(
        "levelEndpoint.token",
        "must be a secret of at least 16 printable characters without spaces (it is sent as a bearer token; trim a trailing newline)"
      )
    if (typeof path !== "string" || !path.startsWith("/"))
      at("levelEndpoint.path", `${JSON.stringify(path)} is not a path starting with /`)
    levelEndpoint = { path, digest: sha256(String(token)) }
  }
  let metricsPath: string | undefined
  const m = o.metrics
  if (m === true) metricsPath = defaultMetricsPath
  else if (typeof m === "object" && m !== null && !Array.isArray(m))
    metricsPath = checkMetricsPath(m.path ?? defaultMetricsPath, `${where}.metrics.path`, issues)
  else if (m !== undefined && m !== false)
    at("metrics", `${JSON.stringify(m)} is not one of: true, false, { path }`)
  if (metricsPath !== undefined && metricsPath === levelEndpoint?.path)
    at("metrics.path", `${JSON.stringify(metricsPath)} is already the levelEndpoint's path`)
  if (issues.length > 0) throw new ConfigError({ issues })
  return {
    header: lower(header),
    generateId: o.generateId ?? newRequestId,
    maxIdLength,
    trustProxy,
    access,
    logErrors: o.logErrors ?? true,
    levelEndpoint,
    metricsPath
  }
}

const lower = (s: string): string => s.toLowerCase()

const normalizeAddress = (a: string): string => {
  const t = a.trim().toLowerCase()
  return t.startsWith("::ffff:") && t.includes(".") ? t.slice(7) : t
}

let lastPeer = ""
let lastPeerNormalized = ""
/** The socket's peer address, normalized; a server sees the same few peers again and again. */
const normalizePeer = (peer: string): string => {
  if (peer !== lastPeer) {
    lastPeerNormalized = normalizeAddress(peer)
    lastPeer = peer
  }
  return lastPeerNormalized
}

/** Random bytes for ids, drawn from the system's CSPRNG 4 KiB at a time. */
const idPool = Buffer.allocUnsafe(4096)
let idOffset = idPool.length

/**
 * A new correlation id: 128 random bits as 32 lowercase hex characters (the shape of
 * nginx's `$request_id` and of a W3C trace id). As random as a UUID v4 (122 bits) and
 * cheaper to make: one string, where `crypto.randomUUID` joins twenty pieces.
 */
export const newRequestId = (): string => {
  if (idOffset === idPool.length) {
    randomFillSync(idPool)
    idOffset = 0
  }
  const id = idPool.toString("hex", idOffset, idOffset + 16)
  idOffset += 16
  return id
}

/** The incoming id when it is a safe token (printable, no spaces, bounded), else a new one. */
export const correlationIdOf = (config: HttpConfig, incoming: string | ReadonlyArray<string> | undefined) => {
  const value = Array.isArray(incoming) ? incoming[0] : incoming
  if (typeof value === "string" && value.length <= config.maxIdLength && tokenChar.test(value)) return value
  // the default generator's ids are safe tokens by construction
  if (config.generateId === newRequestId) return newRequestId()
  let id: unknown
  try {
    id = config.generateId()
  } catch {
    id = undefined
  }
  // a generated id is echoed in a header too: it must be a safe token like an incoming one
  return typeof id === "string" && id.length <= config.maxIdLength && tokenChar.test(id) ? id : newRequestId()
}

export interface TraceParent {
  readonly traceId: string
  readonly spanId: string
  readonly sampled: boolean
}

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/

/** W3C Trace Context `traceparent`; undefined when absent or malformed. */
export const parseTraceparent = (
  header: string | ReadonlyArray<string> | undefined
): TraceParent | undefined => {
  const value = Array.isArray(header) ? header[0] : header
  if (typeof value !== "string" || value.length > 512) return undefined
  const m = traceparentPattern.exec(value.trim())
  if (m === null) return undefined
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?
  ]
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 }
}

/** The client address, believing `x-forwarded-for` only as far as `trustProxy` allows. */
export const clientAddress = (
  config: HttpConfig,
  peer: string | undefined,
  forwardedFor: string | ReadonlyArray<string> | undefined
): string | undefined => {
  const direct = peer === undefined ? undefined : normalizePeer(peer)
  const trust = config.trustProxy
  if (trust === false || forwardedFor === undefined) return direct
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor as string))
    .split(",")
    .map(normalizeAddress)
    .filter((a) => a !== "")
  if (chain.length === 0) return direct
  if (trust === true) return chain[0]
  if (typeof trust === "number") {
    // the peer is the nearest proxy; each further trusted hop is one address from the right
    const hops = [...chain, direct ?? ""]
    const index = Math.max(0, hops.length - 1 - trust)
    return hops[index] === "" ? direct : hops[index]
  }
  if (direct === undefined || !trust.has(direct)) return direct
  for (let i = chain.length - 1; i >= 0; i--) if (!trust.has(chain[i] as string)) return chain[i]
  return chain[0]
}

/** Headers with sensitive values replaced, names lower-cased, repeated values joined. */
export const redactHeaders = (
  config: NonNullable<HttpConfig["access"]>,
  headers: Readonly<Record<string, string | ReadonlyArray<string> | number | undefined>>
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const key = lower(name)
    out[key] = config.sensitive.has(key)
      ? "[REDACTED]"
      : Array.isArray(value)
        ? value.join(", ")
        : String(value)
  }
  return out
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes that ends on a character boundary. */
const utf8Prefix = (text: string, maxBytes: number): string => {
  const bytes = Buffer.from(text, "utf8")
  let end = maxBytes
  // back up over continuation bytes (10xxxxxx) to the start of the cut character
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--
  return bytes.subarray(0, end).toString("utf8")
}

/** A request body for the access line: cut at the cap, parsed when it is JSON. */
export const bodyField = (text: string, contentType: string | undefined, maxBytes: number): unknown => {
  const cut = Buffer.byteLength(text, "utf8") > maxBytes
  const shown = cut ? utf8Prefix(text, maxBytes) : text
  if (!cut && contentType?.includes("json")) {
    try {
      return JSON.parse(text)
    } catch {
      return shown
    }
  }
  return cut ? `${shown}…[truncated]` : shown
}

/** What an adapter knows about one finished request. */
export interface Exchange {
  readonly method: string
  readonly route: string | undefined
  readonly path: string
  readonly status: number
  readonly durationMs: number
  readonly requestBytes: number | undefined
  readonly responseBytes: number | undefined
  readonly clientIp: string | undefined
  readonly userAgent: string | undefined
  readonly requestHeaders?: Record<string, string> | undefined
  readonly responseHeaders?: Record<string, string> | undefined
  readonly body?: unknown
}

/** Whether this request gets an access line at all (skip paths, success sampling). */
export const wantsAccessLine = (config: HttpConfig, path: string, status: number): boolean => {
  const access = config.access
  // a scraper asks every few seconds: its requests would outnumber the app's
  if (access === undefined || access.skip(path) || path === config.metricsPath) return false
  return status >= 400 || access.sampleRate >= 1 || Math.random() < access.sampleRate
}

/** The access line's fields: everything under one `http` key. */
export const accessFields = (x: Exchange): { readonly http: Record<string, unknown> } => {
  const http: Record<string, unknown> = {
    method: x.method,
    path: x.path,
    status: x.status,
    durationMs: Math.round(x.durationMs * 1000) / 1000
  }
  if (x.route !== undefined) http.route = x.route
  if (x.requestBytes !== undefined) http.requestBytes = x.requestBytes
  if (x.responseBytes !== undefined) http.responseBytes = x.responseBytes
  if (x.clientIp !== undefined) http.clientIp = x.clientIp
  if (x.userAgent !== undefined) http.userAgent = x.userAgent
  if (x.requestHeaders !== undefined) http.requestHeaders = x.requestHeaders
  if (x.responseHeaders !== undefined) http.responseHeaders = x.responseHeaders
  if (x.body !== undefined) http.body = x.body
  return { http }
}

/** The path of a request target, without query or fragment. */
export const pathOf = (url: string): string => {
  let end = url.indexOf("?")
  const hash = url.indexOf("#")
  if (hash >= 0 && (end < 0 || hash < end)) end = hash
  const p = end < 0 ? url : url.slice(0, end)
  if (p.startsWith("/")) return p
  try {
    return new URL(p).pathname
  } catch {
    return p
  }
}

/** A length header as a number, when it is one. */
export const byteCount = (value: string | ReadonlyArray<string> | number | undefined): number | undefined => {
  const v = Array.isArray(value) ? value[0] : value
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? v : undefined
  if (typeof v !== "string" || !/^\d{1,15}$/.test(v)) return undefined
  return Number(v)
}

/** What the level endpoint was asked to change: the default level, or a category's. */
export interface LevelChange {
  readonly level: LevelName
  /** A category path (dotted); undefined for the default level. */
  readonly category?: string | undefined
}

/** A change from its two parts as read; undefined when either is not what the endpoint accepts. */
const changeOf = (level: unknown, category: unknown): LevelChange | undefined => {
  if (!isSettable(level)) return undefined
  if (category === undefined || category === null) return { level }
  const c = categoryOf(category)
  return typeof c === "string" ? { level, category: c } : undefined
}

/**
 * Parses a level-change request body or query: `{"level":"debug","category":"app.db"}` (the
 * category optional, dotted or a list of segments), `level=debug&category=app.db`, or the
 * bare level name.
 */
export const requestedLevel = (body: string, query: string | undefined): LevelChange | undefined => {
  const params = query === undefined ? undefined : new URLSearchParams(query)
  const fromQuery = params?.get("level") ?? null
  if (fromQuery !== null) return changeOf(fromQuery, params?.get("category"))
  const text = body.trim()
  if (isSettable(text)) return changeOf(text, params?.get("category"))
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== "object" || parsed === null) return undefined
    const { level, category } = parsed as { readonly level?: unknown; readonly category?: unknown }
    return changeOf(level, category)
  } catch {
    const form = new URLSearchParams(text)
    return changeOf(form.get("level"), form.get("category"))
  }
}

/** The level endpoint's answer to a read: the default level and the category levels. */
export const levelsReply = (state: LevelState): Readonly<Record<string, unknown>> => ({
  level: state.level,
  categories: state.categories
})

/**
 * The level endpoint's answer to a change, and the fields of its audit line: the level in
 * force before it (of the category, when one was given).
 */
export const levelChangeReply = (
  state: LevelState,
  change: LevelChange
): {
  readonly reply: Readonly<Record<string, unknown>>
  readonly audit: Readonly<Record<string, unknown>>
} => {
  const previous = change.category === undefined ? state.level : levelIn(state, change.category)
  return change.category === undefined
    ? { reply: { level: change.level, previous }, audit: { from: previous, to: change.level } }
    : {
        reply: { level: change.level, previous, category: change.category },
        audit: { from: previous, to: change.level, category: change.category }
      }
}

/**
 * Properties of an error that hold the request or its body (platform `RequestError` and
 * `RouteNotFound` carry the request with every header; body parsers keep the raw body).
 * The error line leaves them out: they would put credentials in the log.
 */
const requestBearing = new Set(["request", "req", "response", "res", "body", "rawBody", "headers"])

/** A copy of an error without request-bearing properties (the original is never touched). */
export const safeError = (error: unknown): unknown => {
  if (typeof error !== "object" || error === null) return error
  let keys: Array<string>
  try {
    keys = Object.keys(error)
  } catch {
    return error
  }
  if (!keys.some((k) => requestBearing.has(k))) return error
  const copy: Record<string, unknown> =
    error instanceof Error ? Object.create(Object.getPrototypeOf(error) as object) : {}
  for (const k of ["name", "message", "stack", "cause"]) {
    try {
      if (k in error)
        Object.defineProperty(copy, k, {
          value: (error as Record<string, unknown>)[k],
          enumerable: false,
          writable: true,
          configurable: true
        })
    } catch {
      // a throwing getter: leave it out
    }
  }
  for (const k of keys) {
    if (requestBearing.has(k)) continue
    try {
      copy[k] = (error as Record<string, unknown>)[k]
    } catch {
      // a throwing getter: leave it out
    }
  }
  return copy
}

/**
 * Refusals of the level endpoint are logged at security, which no threshold hides: at most
 * `perMinute` lines a minute, the next one saying how many were left out.
 */
export const refusalLimiter = (
  perMinute = 10
): (() => { readonly log: boolean; readonly suppressed: number }) => {
  let windowStart = 0
  let count = 0
  let suppressed = 0
  return () => {
    const now = Date.now()
    if (now - windowStart >= 60_000) {
      windowStart = now
      count = 0
    }
    if (count >= perMinute) {
      suppressed++
      return { log: false, suppressed }
    }
    count++
    const reported = suppressed
    suppressed = 0
    return { log: true, suppressed: reported }
  }
}

/** The bearer token of an Authorization header. */
export const bearerOf = (header: string | ReadonlyArray<string> | undefined): string | undefined => {
  const v = Array.isArray(header) ? header[0] : header
  if (typeof v !== "string") return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(v)
  return m === null ? undefined : m[1]
}

/** The reply of the level endpoint to a bad request, for every adapter alike. */
/**
 * The levels the endpoint may set. Not audit or security: a threshold that high would hide
 * the audit trail, the endpoint's own "log level changed" line included.
 */
export const settableLevels: ReadonlyArray<LevelName> = ["trace", "debug", "info", "warn", "error", "fatal"]

const isSettable = (u: unknown): u is LevelName => isLevelName(u) && settableLevels.includes(u)

export const levelEndpointHelp = `expected POST with Authorization: Bearer <token> and {"level": one of ${settableLevels.join(", ")}, "category"?: a category such as "app.db"}`

/** Whether a body of this content type is text worth showing (absent type counts as text). */
export const isTextual = (contentType: string | undefined): boolean =>
  contentType === undefined ||
  /^(text\/|application\/(json|x-www-form-urlencoded|xml|[\w.+-]+\+json))/i.test(contentType)

/** Whether the request announced a body (a positive length, or chunked transfer). */
export const announcesBody = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): boolean => headers["transfer-encoding"] !== undefined || (byteCount(headers["content-length"]) ?? 0) > 0

/**
 * A body a framework has already parsed (string, bytes, or a JSON-like value) for the access
 * line: cut at the cap like {@link bodyField}; undefined when there is nothing to show.
 */
export const parsedBodyField = (
  value: unknown,
  contentType: string | undefined,
  maxBytes: number
): unknown => {
  if (value === undefined || value === null) return undefined
  if (typeof value === "string") return bodyField(value, contentType, maxBytes)
  if (value instanceof Uint8Array)
    return isTextual(contentType)
      ? bodyField(
          Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8"),
          contentType,
          maxBytes
        )
      : `[${value.byteLength} bytes of ${contentType} not logged]`
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    text = undefined
  }
  return text === undefined ? "[unserializable body]" : bodyField(text, "application/json", maxBytes)
}
