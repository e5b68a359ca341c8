/**
 * The NATS sink: every event one JetStream message on the configured subject, published with
 * its event id as `Nats-Msg-Id` and awaited until the stream acknowledges it. A request (a
 * batch) is published all at once and succeeds when every message is acknowledged; when one is
 * not, the whole request is retried, and the stream drops the messages it already holds
 * (JetStream de-duplicates by `Nats-Msg-Id` within the stream's duplicate window), so a retry,
 * a reconnect or a server restart never stores an event twice.
 */
import * as fs from "node:fs"
import { JetStreamApiError, jetstreamManager } from "@nats-io/jetstream"
import {
  connect,
  createInbox,
  credsAuthenticator,
  headers,
  InvalidSubjectError,
  type Msg,
  type NatsConnection,
  type NodeConnectionOptions
} from "@nats-io/transport-node"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, type LogEvent, Network, type Plugin } from "fapilog"
import { decodeEventLines, type EventLine, encodeEventLines } from "../../../shared/src/eventLines.js"
import { decodingTransport } from "../../../shared/src/transportFailure.js"
import type { Config } from "./config.js"
import { ensureStream } from "./stream.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  createStream: true,
  storage: "file" as const,
  duplicateWindowMs: 120_000,
  timeoutMs: 10_000
})

/**
 * Failures no retry fixes: the stream refused the message as a bad request (JetStream's 400,
 * e.g. the subject is bound to another stream than `stream`), an invalid subject, or a check
 * of the stream at start that failed (`StreamMismatch`).
 */
export const isPermanent = (e: unknown): boolean =>
  (e instanceof JetStreamApiError && e.status === 400) ||
  e instanceof InvalidSubjectError ||
  (e as { _tag?: unknown } | null)?._tag === "StreamMismatch"

const describe = (e: unknown): string => {
  const message = e instanceof Error ? e.message : String(e)
  return e instanceof JetStreamApiError ? `${message} (JetStream ${e.status}, code ${e.code})` : message
}

const serversOf = (config: Config): Array<string> =>
  typeof config.servers === "string" ? [config.servers] : [...config.servers]

/** The sink's name in diagnostics: the servers and subject, never credentials. */
export const nameOf = (config: Config): string =>
  `nats://${serversOf(config)
    .map((s) => new URL(s).host)
    .join(",")}/${config.subject}`

/** The client's connection options of the settings. */
export const connectionOptions = (config: Config): NodeConnectionOptions => ({
  servers: serversOf(config),
  timeout: config.timeoutMs ?? defaults.timeoutMs,
  // keep reconnecting: the sink's retries and breaker decide what happens to the events
  reconnect: true,
  maxReconnectAttempts: -1,
  reconnectTimeWait: 250,
  ...(config.connectionName === undefined ? {} : { name: config.connectionName }),
  ...(config.token === undefined ? {} : { token: config.token }),
  ...(config.user === undefined ? {} : { user: config.user, pass: config.password ?? "" }),
  ...(config.credentialsFile === undefined
    ? {}
    : { authenticator: credsAuthenticator(() => fs.readFileSync(config.credentialsFile!)) }),
  ...(config.tls === undefined
    ? {}
    : {
        tls: {
          ...(config.tls.caFile === undefined ? {} : { caFile: config.tls.caFile }),
          ...(config.tls.certFile === undefined ? {} : { certFile: config.tls.certFile }),
          ...(config.tls.keyFile === undefined ? {} : { keyFile: config.tls.keyFile }),
          ...(config.tls.handshakeFirst === undefined ? {} : { handshakeFirst: config.tls.handshakeFirst })
        }
      })
})

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * The payload of one event within the server's `max_payload`: its JSON line, or, for a line
 * larger than that, an event that says so (time, level, logger, the start of the message and
 * the original size), so one huge event never fails its batch.
 */
export const payloadOf = (line: EventLine, maxPayload: number): Uint8Array => {
  const bytes = line.json
  if (bytes.length <= maxPayload) return bytes
  let original: Record<string, unknown> = {}
  try {
    original = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>
  } catch {}
  const message = typeof original.message === "string" ? original.message : ""
  return encoder.encode(
    JSON.stringify({
      timestamp: original.timestamp,
      level: line.level,
      logger: original.logger,
      message: message.length > 1024 ? `${message.slice(0, 1024)}…` : message,
      truncated: { bytes: bytes.length, maxPayload }
    })
  )
}

/** What a message's reply said: undefined for an acknowledgement, else why it was not stored. */
export const ackFailure = (m: Pick<Msg, "data" | "headers">): unknown => {
  const status = m.headers?.code ?? 0
  if (status === 503) return new Error("no stream captures the subject (no responders)")
  if (status !== 0 && status !== 200) return new Error(`JetStream answered status ${status}`)
  let ack: { readonly stream?: unknown; readonly error?: unknown } | null
  try {
    ack = JSON.parse(decoder.decode(m.data)) as typeof ack
  } catch {
    return new Error("the acknowledgement is not JSON")
  }
  if (typeof ack !== "object" || ack === null) return new Error("invalid acknowledgement")
  if (typeof ack.error === "object" && ack.error !== null)
    return new JetStreamApiError(ack.error as ConstructorParameters<typeof JetStreamApiError>[0])
  if (typeof ack.stream !== "string" || ack.stream === "") return new Error("invalid acknowledgement")
  return undefined
}

/**
 * Publishes one request's messages to JetStream and waits until the stream has acknowledged
 * each, within `timeoutMs`; resolves to the failure of each message that was not stored
 * (undefined for those that were). What `JetStreamClient.publish` does for one message (the
 * `Nats-Msg-Id` and `Nats-Expected-Stream` headers, the stream's acknowledgement read as it
 * reads it), done for the whole request at once: each message is a plain publish whose reply
 * subject is its index under an inbox of the request, and one subscription to that inbox takes
 * every acknowledgement, instead of a request, a promise and a timer per message (five times
 * faster against Debian's nats-server, docs/performance.md).
 */
export const publishAcknowledged = (
  nc: NatsConnection,
  subject: string,
  messages: ReadonlyArray<{ readonly id: string; readonly data: Uint8Array }>,
  options: { readonly stream: string | undefined; readonly timeoutMs: number }
): Promise<Array<unknown>> =>
  new Promise((resolve, reject) => {
    const n = messages.length
    const failures = new Array<unknown>(n).fill(undefined)
    if (n === 0) {
      resolve(failures)
      return
    }
    const answered = new Uint8Array(n)
    let left = n
    const inbox = createInbox()
    let timer: ReturnType<typeof setTimeout> | undefined
    const sub = nc.subscribe(`${inbox}.*`, {
      callback: (error, m) => {
        if (error !== null) {
          finish()
          reject(error)
          return
        }
        const index = Number(m.subject.slice(inbox.length + 1))
        if (!Number.isInteger(index) || index < 0 || index >= n || answered[index] === 1) return
        answered[index] = 1
        failures[index] = ackFailure(m)
        if (--left === 0) {
          finish()
          resolve(failures)
        }
      }
    })
    const finish = () => {
      clearTimeout(timer)
      try {
        sub.unsubscribe()
      } catch {
        // the connection closed meanwhile: the subscription went with it
      }
    }
    timer = setTimeout(() => {
      finish()
      const late = new Error(`no acknowledgement within ${options.timeoutMs} ms`)
      for (let i = 0; i < n; i++) if (answered[i] === 0) failures[i] = late
      resolve(failures)
    }, options.timeoutMs)
    try {
      for (let i = 0; i < n; i++) {
        const message = messages[i]!
        const h = headers()
        h.set("Nats-Msg-Id", message.id)
        if (options.stream !== undefined) h.set("Nats-Expected-Stream", options.stream)
        nc.publish(subject, message.data, { reply: `${inbox}.${i}`, headers: h })
      }
    } catch (e) {
      finish()
      reject(e)
    }
  })

interface Connected {
  readonly nc: NatsConnection
}

/**
 * Opens the NATS sink on the network foundation: a connection made at the first request (and
 * again after it closes), the stream created or checked before the first publish, each request
 * published as one message per event and acknowledged by the stream.
 */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const timeoutMs = config.timeoutMs ?? defaults.timeoutMs
    const options = connectionOptions(config)
    let connection: Promise<Connected> | undefined
    let streamChecked = config.stream === undefined
    let closed = false

    const open = async (): Promise<Connected> => {
      const nc = await connect(options)
      if (closed) {
        await nc.close()
        throw new Error("the sink is closed")
      }
      return { nc }
    }

    const connected = (): Promise<Connected> => {
      if (connection === undefined) {
        const attempt = open()
        connection = attempt
        attempt.then(
          // a connection the client gave up on (an authorization error) is made again by the next request
          ({ nc }) =>
            nc.closed().then((e) => {
              if (e) context.report("connection closed", e)
              if (connection === attempt) connection = undefined
            }),
          () => {
            if (connection === attempt) connection = undefined
          }
        )
      }
      return connection
    }

    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        closed = true
        const c = await connection?.catch(() => undefined)
        await c?.nc.close()
      }).pipe(
        Effect.timeoutOption(1000),
        Effect.catchAllCause((cause) => Effect.sync(() => context.report("close failed", cause)))
      )
    )

    const publish = async (lines: ReadonlyArray<EventLine>) => {
      const { nc } = await connected()
      if (!streamChecked) {
        await ensureStream(await jetstreamManager(nc, { timeout: timeoutMs }), {
          stream: config.stream!,
          subject: config.subject,
          create: config.createStream ?? defaults.createStream,
          storage: config.storage ?? defaults.storage,
          duplicateWindowMs: config.duplicateWindowMs ?? defaults.duplicateWindowMs
        })
        streamChecked = true
      }
      const maxPayload = nc.info?.max_payload ?? 1_048_576
      const results = await publishAcknowledged(
        nc,
        config.subject,
        lines.map((line) => ({ id: line.id, data: payloadOf(line, maxPayload) })),
        { stream: config.stream, timeoutMs }
      )
      let failed: unknown
      let failures = 0
      for (const reason of results)
        if (reason !== undefined) {
          failures++
          // a permanent cause is the one to report: a retry would not fix it
          if (failed === undefined || isPermanent(reason)) failed = reason
        }
      if (failures > 0)
        throw isPermanent(failed)
          ? failed
          : new Error(`${failures} of ${lines.length} messages not acknowledged: ${describe(failed)}`, {
              cause: failed
            })
    }

    const transport = decodingTransport({
      decode: decodeEventLines,
      send: (lines) => publish(lines),
      isPermanent,
      describe
    })
    return yield* Network.make({
      ...Network.optionsFromConfig(config),
      name: nameOf(config),
      transport,
      encode: (events: ReadonlyArray<LogEvent.LogEvent>) => ({
        body: encodeEventLines(events),
        contentType: "text/plain"
      }),
      report: context.report
    })
  })
