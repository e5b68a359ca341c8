/**
 * The Kafka sink on fapilog's network foundation: `Network.make` batches the events (by count,
 * bytes and linger time), retries, spools and drains; the transport hands each request to an
 * idempotent `@platformatic/kafka` producer (acks=all, one request in flight).
 *
 * Exactly once within a run. The producer numbers each partition's batches (producer id and
 * sequence) and only advances a partition's sequence once the broker acknowledged it, so a
 * request resent after a failure carries the same sequence numbers and a broker that had
 * already written it acknowledges it again without writing it twice. Around that:
 *
 * - every message of a request has its partition fixed by the request (keyed messages by the
 *   key's murmur2 hash, where the Java client places them; the others by the request's seed),
 *   so a resend places them as the first attempt did;
 * - when a send fails after some partitions were acknowledged (leaders on several brokers),
 *   those partitions are remembered and left out of the resend of that same request;
 * - an attempt cut short by the foundation's timeout keeps running in the client: the next
 *   attempt waits for it to settle (and takes what it acknowledged) before sending;
 * - when the foundation gives up on a request (spooled, or refused) and goes on to the next,
 *   the batch it abandoned may or may not have been written, and its sequence numbers were
 *   not advanced: the producer takes a new producer id first, so the next batch is never
 *   mistaken for the abandoned one (a spooled request replayed later is then a new batch:
 *   at-least-once, as for every sink, when its first answer was lost).
 */

import * as fs from "node:fs"
import type { ConnectionOptions as TlsOptions } from "node:tls"
import {
  compatibilityPartitioner,
  type MessageToProduce,
  Producer,
  type ProducerOptions
} from "@platformatic/kafka"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, type LogEvent, Network, type Plugin } from "fapilog"
import { transportFailure } from "../../../shared/src/transportFailure.js"
import { brokersOf, type Config } from "./config.js"
import { encodeMessages, producerMessages } from "./messages.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  clientId: "fapilog",
  keyField: "correlationId" as const,
  compression: "none" as const,
  timeoutMs: 10_000,
  // under the broker's default message.max.bytes (1,048,588) per record batch
  maxBytes: 1_000_000,
  // retries inside the client (metadata refreshed between them) before the foundation's own
  clientRetries: 2,
  clientRetryDelayMs: 100
})

/**
 * Kafka errors no resend fixes: the broker refuses the batch itself (too large, corrupt,
 * invalid), or the credentials or topic access; the client marks the rest retriable, and
 * connection failures are retriable too.
 */
const PERMANENT = new Set([
  2, // CORRUPT_MESSAGE
  10, // MESSAGE_TOO_LARGE
  17, // INVALID_TOPIC_EXCEPTION
  18, // RECORD_LIST_TOO_LARGE
  29, // TOPIC_AUTHORIZATION_FAILED
  31, // CLUSTER_AUTHORIZATION_FAILED
  43, // UNSUPPORTED_FOR_MESSAGE_FORMAT
  58, // SASL_AUTHENTICATION_FAILED
  74, // UNSUPPORTED_COMPRESSION_TYPE
  87 // INVALID_RECORD
])

/** The Kafka error codes anywhere in a client error (its `errors` and `cause` chain). */
export const errorCodes = (e: unknown, into: Set<number> = new Set(), depth = 0): Set<number> => {
  if (e === null || typeof e !== "object" || depth > 8) return into
  const o = e as { apiCode?: unknown; errors?: unknown; cause?: unknown }
  if (typeof o.apiCode === "number") into.add(o.apiCode)
  if (Array.isArray(o.errors)) for (const inner of o.errors) errorCodes(inner, into, depth + 1)
  if (o.cause !== undefined) errorCodes(o.cause, into, depth + 1)
  return into
}

export const isPermanent = (e: unknown): boolean => {
  for (const code of errorCodes(e)) if (PERMANENT.has(code)) return true
  return false
}

const describe = (e: unknown): string => {
  const codes = [...errorCodes(e)]
  const message = e instanceof Error ? e.message : String(e)
  const inner =
    e !== null && typeof e === "object" && Array.isArray((e as { errors?: unknown }).errors)
      ? ((e as { errors: Array<unknown> }).errors.at(-1) as { message?: unknown } | undefined)?.message
      : undefined
  return `${message}${typeof inner === "string" && inner !== message ? `: ${inner}` : ""}${codes.length > 0 ? ` (Kafka error ${codes.join(", ")})` : ""}`
}

/** The sink's name in diagnostics: the first broker and the topic, never credentials. */
export const nameOf = (config: Config): string => `kafka://${brokersOf(config)[0]}/${config.topic}`

/** PEM text as is, else the file it names. */
const pem = (value: string): string =>
  value.trimStart().startsWith("-----BEGIN") ? value : fs.readFileSync(value, "utf8")

const tlsOf = (config: Config): TlsOptions | undefined => {
  const t = config.tls
  if (t === undefined || t === false) return undefined
  if (t === true) return {}
  const out: { -readonly [K in keyof TlsOptions]?: TlsOptions[K] } = {}
  if (t.ca !== undefined) out.ca = pem(t.ca)
  if (t.cert !== undefined) out.cert = pem(t.cert)
  if (t.key !== undefined) out.key = pem(t.key)
  if (t.rejectUnauthorized !== undefined) out.rejectUnauthorized = t.rejectUnauthorized
  if (t.servername !== undefined) out.servername = t.servername
  return out
}

/** The producer's options: idempotent (so acks=all and one request in flight), the settings' connection. */
export const producerOptions = (config: Config): ProducerOptions<Buffer, Buffer, Buffer, Buffer> => {
  const timeoutMs = config.timeoutMs ?? defaults.timeoutMs
  // the client's own attempts fit within one attempt of the foundation
  const requestMs = Math.max(1, Math.floor(timeoutMs / (defaults.clientRetries + 1)))
  const tls = tlsOf(config)
  const sasl = config.sasl
  return {
    clientId: config.clientId ?? defaults.clientId,
    bootstrapBrokers: [...brokersOf(config)],
    idempotent: true,
    acks: -1,
    compression: config.compression ?? defaults.compression,
    timeout: requestMs,
    requestTimeout: requestMs,
    connectTimeout: requestMs,
    retries: defaults.clientRetries,
    retryDelay: defaults.clientRetryDelayMs,
    autocreateTopics: false,
    ...(tls === undefined ? {} : { tls }),
    ...(sasl === undefined
      ? {}
      : {
          sasl: {
            mechanism: sasl.mechanism,
            ...(sasl.username === undefined ? {} : { username: sasl.username }),
            ...(sasl.password === undefined ? {} : { password: sasl.password }),
            ...(sasl.token === undefined ? {} : { token: sasl.token })
          }
        })
  }
}

/** The transport's view of the producer (the client's `Producer`, or a test's stand-in). */
export type KafkaProducer = Pick<Producer, "send" | "metadata" | "initIdempotentProducer" | "close">

/** What a failed send says it had written before failing (`error.produced`). */
const producedBy = (e: unknown): ReadonlyArray<{ readonly partition: number }> => {
  const offsets = (e as { produced?: { offsets?: unknown } } | null)?.produced?.offsets
  return Array.isArray(offsets) ? (offsets as Array<{ partition: number }>) : []
}

/** Whether two request bodies are the same request (retries carry the very same bytes). */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a === b || (a.byteLength === b.byteLength && Buffer.compare(a, b) === 0)

/**
 * The send of one request body (see the header comment): partitions fixed by the request,
 * partitions already acknowledged left out of a resend, a new producer id after an abandoned
 * request.
 */
export const sender = (producer: KafkaProducer, topic: string) => {
  let pending: { readonly body: Uint8Array; readonly done: Set<number> } | undefined
  let previous: Promise<unknown> = Promise.resolve()

  const partitionsOf = async (): Promise<number> => {
    const metadata = await producer.metadata({ topics: [topic] })
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0
    if (count < 1) throw new Error(`the topic ${topic} has no partitions`)
    return count
  }

  const attempt = async (body: Uint8Array): Promise<void> => {
    // a body that is not this sink's (another sink's spool) throws here, before any state changes
    const { seed, messages } = producerMessages(body, topic)
    if (pending === undefined || !sameBytes(pending.body, body)) {
      if (pending !== undefined) {
        await producer.initIdempotentProducer({})
        pending = undefined
      }
      pending = { body, done: new Set() }
    }
    const count = await partitionsOf()
    const done = pending.done
    for (const m of messages)
      m.partition = (m.key === undefined ? seed : compatibilityPartitioner(undefined as never, m.key)) % count
    // a resend leaves out the partitions the failed send had written
    const out = done.size === 0 ? messages : messages.filter((m) => !done.has(m.partition))
    try {
      // a message without a key carries `key: undefined`, which the client writes as no key (null)
      if (out.length > 0)
        await producer.send({ messages: out as Array<MessageToProduce<Buffer, Buffer, Buffer, Buffer>> })
      pending = undefined
    } catch (e) {
      for (const p of producedBy(e)) done.add(p.partition)
      throw e
    }
  }

  return (body: Uint8Array): Promise<void> => {
    const run = previous.then(
      () => attempt(body),
      () => attempt(body)
    )
    previous = run.catch(() => undefined)
    return run
  }
}

/** Opens the Kafka sink: an idempotent producer in the sink's scope, under `Network.make`. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const producer = yield* Effect.acquireRelease(
      Effect.sync(() => new Producer<Buffer, Buffer, Buffer, Buffer>(producerOptions(config))),
      (producer) =>
        Effect.tryPromise(
          () =>
            new Promise<void>((resolve, reject) =>
              producer.close(true, (e) => (e === null || e === undefined ? resolve() : reject(e)))
            )
        ).pipe(
          Effect.timeoutOption(1000),
          Effect.catchAll((e) => Effect.sync(() => context.report("close failed", e)))
        )
    )
    const send = sender(producer, config.topic)
    const keyField = config.keyField ?? defaults.keyField
    let seed = Math.floor(Math.random() * 0x7fffffff)
    const transport: Network.Transport = {
      send: (request) =>
        Effect.tryPromise({
          try: () => send(request.body),
          catch: transportFailure(
            (e) => isPermanent(e) || (e instanceof Error && /Kafka sink request body/.test(e.message)),
            describe
          )
        })
    }
    return yield* Network.make({
      ...Network.optionsFromConfig(config),
      batch: { ...config.batch, maxBytes: config.batch?.maxBytes ?? defaults.maxBytes },
      timeoutMs: config.timeoutMs ?? defaults.timeoutMs,
      name: nameOf(config),
      transport,
      encode: (events: ReadonlyArray<LogEvent.LogEvent>) => ({
        body: encodeMessages(events, keyField, (seed = (seed + 1) & 0x7fffffff)),
        contentType: "application/vnd.fapilog.kafka-messages"
      }),
      report: context.report
    })
  })
