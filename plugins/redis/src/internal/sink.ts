/**
 * The Redis Streams sink: every event one stream entry (`XADD <stream> MAXLEN ~ <maxLen> *`
 * with the fields `id`, `level` and `event`), a request (a batch) added in one round trip.
 *
 * With `dedupe: "batch"` (the default) a request is one Lua script, given the request's body
 * as it is (one argument: the event lines of shared/eventLines.ts, which the script splits):
 * it returns at once when the request's key (a hash of its body) is there, and otherwise adds
 * every entry and then sets that key for `dedupeWindowMs`. A script runs alone on the server
 * and is kept in the append-only file as one unit, so a request is added once whatever happens
 * to its reply: a timeout, a broken connection, a server restart, a replay from the spool. With
 * `dedupe: "none"` the entries are pipelined `XADD`s: a request retried after its reply was
 * lost may be added again (at least once).
 */
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { createClient, ErrorReply } from "@redis/client"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, type LogEvent, Network, type Plugin } from "fapilog"
import { bufferView } from "../../../shared/src/bodyBuffer.js"
import { decodeEventLines, type EventLine, encodeEventLines } from "../../../shared/src/eventLines.js"
import { decodingTransport } from "../../../shared/src/transportFailure.js"
import type { Config } from "./config.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  maxLen: 1_000_000,
  dedupe: "batch" as const,
  dedupeWindowMs: 86_400_000,
  timeoutMs: 10_000
})

/**
 * KEYS[1] the stream, KEYS[2] the request's key; ARGV[1] its lifetime in ms, ARGV[2] MAXLEN,
 * ARGV[3] the request's body. Every line is read (and checked) before the first entry is
 * added, so a body that is not event lines adds nothing and fails with a `FAPILOG` error. The
 * key is set after the entries: a script that fails half-way (the server out of memory) leaves
 * no key, so its retry adds the batch again (a duplicate rather than a loss).
 *
 * A line whose id is a JSON string with nothing escaped (every id fapilog makes) is read by one
 * anchored pattern; any other goes the long way, its id read by `cjson`. The stream is trimmed
 * once, after the entries (`XTRIM ... MAXLEN ~`): a script runs alone, so no reader sees the
 * stream between, and it ends as trimming at every `XADD` would leave it, at less cost per entry.
 */
export const SCRIPT = `if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local body = ARGV[3]
local entries = {}
local n = 0
local pos = 1
while pos <= #body do
  local _, last, id, level, event = string.find(body, '^"([^"\\\\%c]*)"\\t([^\\t\\n]*)\\t([^\\n]*)\\n', pos)
  if not last then
    local nl = string.find(body, '\\n', pos, true)
    local t1 = string.find(body, '\\t', pos, true)
    local t2 = t1 and string.find(body, '\\t', t1 + 1, true)
    if not nl or not t2 or t2 > nl then
      return redis.error_reply('FAPILOG not an event line at offset ' .. (pos - 1))
    end
    local ok
    ok, id = pcall(cjson.decode, string.sub(body, pos, t1 - 1))
    if not ok or type(id) ~= 'string' then
      return redis.error_reply('FAPILOG not an event id at offset ' .. (pos - 1))
    end
    level = string.sub(body, t1 + 1, t2 - 1)
    event = string.sub(body, t2 + 1, nl - 1)
    last = nl
  end
  entries[n + 1] = id
  entries[n + 2] = level
  entries[n + 3] = event
  n = n + 3
  pos = last + 1
end
for i = 1, n, 3 do
  redis.call('XADD', KEYS[1], '*', 'id', entries[i], 'level', entries[i + 1], 'event', entries[i + 2])
end
redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[2])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
return n / 3`

const SCRIPT_SHA = createHash("sha1").update(SCRIPT).digest("hex")

/**
 * The header that carries the digest of a request's body: made by the encoder, while the
 * request before it is in flight, rather than by every send (the server waits on the send).
 * The spool keeps it with the body; a request without it has its digest made when sent.
 */
const DIGEST_HEADER = "fapilog-body-sha256"

/** The SHA-256 of a request's body, in base64url. */
export const bodyDigest = (body: Uint8Array): string => createHash("sha256").update(body).digest("base64url")

/** A request's digest: the one its encoder made, else made now. */
export const digestOf = (body: Uint8Array, request: Network.Encoded): string => {
  const carried = request.headers?.[DIGEST_HEADER]
  return carried !== undefined && /^[\w-]{43}$/.test(carried) ? carried : bodyDigest(body)
}

/**
 * The key that marks a request as added: the stream's name and the digest of its body (which
 * holds every event's id, and is the same on every attempt and replay of the request).
 */
export const requestKey = (stream: string, digest: string): string => `${stream}:fapilog:${digest}`

/**
 * Replies no retry fixes: the key holds another type than a stream, the user may not run the
 * command, the server does not know it (scripting disabled), the body is not event lines.
 */
export const isPermanent = (e: unknown): boolean =>
  e instanceof ErrorReply && /^(WRONGTYPE|NOPERM|ERR unknown command|FAPILOG )/.test(e.message)

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** The sink's name in diagnostics: the server and stream, never credentials. */
export const nameOf = (config: Config): string => {
  const url = new URL(config.url)
  return `${url.protocol}//${url.host}${url.pathname}#${config.stream}`
}

/**
 * Opens the Redis Streams sink on the network foundation: one client (connected in the
 * background, reconnecting after a loss, failing commands at once while it is away so that
 * the sink's retries decide), each request added by the script or by pipelined XADDs.
 */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const timeoutMs = config.timeoutMs ?? defaults.timeoutMs
    const maxLen = String(config.maxLen ?? defaults.maxLen)
    const window = String(config.dedupeWindowMs ?? defaults.dedupeWindowMs)
    const dedupe = config.dedupe ?? defaults.dedupe
    const tls = config.tls
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const c = createClient({
          url: config.url,
          ...(config.username === undefined ? {} : { username: config.username }),
          ...(config.password === undefined ? {} : { password: config.password }),
          // a command while disconnected fails now: the sink's retry and breaker take over
          disableOfflineQueue: true,
          socket: {
            connectTimeout: timeoutMs,
            reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), 2000),
            ...(tls === undefined
              ? {}
              : {
                  tls: true as const,
                  ...(tls.caFile === undefined ? {} : { ca: fs.readFileSync(tls.caFile) }),
                  ...(tls.certFile === undefined ? {} : { cert: fs.readFileSync(tls.certFile) }),
                  ...(tls.keyFile === undefined ? {} : { key: fs.readFileSync(tls.keyFile) }),
                  ...(tls.rejectUnauthorized === undefined
                    ? {}
                    : { rejectUnauthorized: tls.rejectUnauthorized })
                })
          }
        })
        // one report per outage, not one per reconnection attempt
        let up = true
        c.on("error", (e: unknown) => {
          if (up) context.report("connection lost", e)
          up = false
        })
        c.on("ready", () => {
          up = true
        })
        c.connect().catch((e: unknown) => context.report("cannot connect", e))
        return c
      }),
      (c) =>
        Effect.promise(() => (c.isOpen ? c.close() : Promise.resolve())).pipe(
          Effect.timeoutOption(1000),
          Effect.catchAllCause((cause) => Effect.sync(() => context.report("close failed", cause)))
        )
    )

    const script = async (body: Buffer, request: Network.Encoded): Promise<void> => {
      const command: Array<string | Buffer> = [
        "EVALSHA",
        SCRIPT_SHA,
        "2",
        config.stream,
        requestKey(config.stream, digestOf(body, request)),
        window,
        maxLen,
        body
      ]
      try {
        await client.sendCommand(command)
      } catch (e) {
        // the server has not cached the script yet (or lost it in a restart): send it whole
        if (!(e instanceof ErrorReply && e.message.startsWith("NOSCRIPT"))) throw e
        command[0] = "EVAL"
        command[1] = SCRIPT
        await client.sendCommand(command)
      }
    }

    const pipelined = async (lines: ReadonlyArray<EventLine>): Promise<void> => {
      // commands issued in one tick go out together (node-redis pipelines them)
      const replies = await Promise.allSettled(
        lines.map((l) =>
          client.sendCommand([
            "XADD",
            config.stream,
            "MAXLEN",
            "~",
            maxLen,
            "*",
            "id",
            l.id,
            "level",
            l.level,
            "event",
            l.json
          ])
        )
      )
      const failed = replies.find((r) => r.status === "rejected")
      if (failed !== undefined) throw failed.reason
    }

    const transport = decodingTransport({
      // the script reads the body as it is; the pipelined XADDs send its lines, read here so
      // that a body which is not event lines is refused for good
      decode: (body) => {
        const bytes = bufferView(body)
        return dedupe === "batch" ? { bytes, lines: undefined } : { bytes, lines: decodeEventLines(bytes) }
      },
      send: ({ bytes, lines }, request) => (lines === undefined ? script(bytes, request) : pipelined(lines)),
      isPermanent,
      describe
    })
    return yield* Network.make({
      ...Network.optionsFromConfig(config),
      name: nameOf(config),
      transport,
      encode: (events: ReadonlyArray<LogEvent.LogEvent>) => {
        const body = encodeEventLines(events)
        return dedupe === "batch"
          ? { body, contentType: "text/plain", headers: { [DIGEST_HEADER]: bodyDigest(body) } }
          : { body, contentType: "text/plain" }
      },
      report: context.report
    })
  })
