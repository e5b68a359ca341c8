/**
 * The Kafka sink on fapilog's network foundation: `Network.make` batches the events (by count,
 * bytes and linger time), retries, spools and drains; the transport writes each request's
 * record batches itself (records.ts) and produces them through a `@platformatic/kafka`
 * producer's connections (produce.ts): an idempotent producer id from the client, acks=all,
 * one request in flight, one Produce request per leader.
 *
 * Exactly once within a run. The sender numbers each partition's batches (producer id and
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
 * - a leader that moved (NOT_LEADER_OR_FOLLOWER and the like) is looked up again and its
 *   partitions sent once more within the attempt, as the client's producer does; an answer
 *   saying the broker lost the producer's state (OUT_OF_ORDER_SEQUENCE_NUMBER,
 *   UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_EPOCH) makes the next attempt take a new producer id;
 * - when the foundation gives up on a request (spooled, or refused) and goes on to the next,
 *   the batch it abandoned may or may not have been written, and its sequence numbers were
 *   not advanced: the sender takes a new producer id first, so the next batch is never
 *   mistaken for the abandoned one (a spooled request replayed later is then a new batch:
 *   at-least-once, as for every sink, when its first answer was lost).
 */

import * as fs from "node:fs"
import type { ConnectionOptions as TlsOptions } from "node:tls"
import * as zlib from "node:zlib"
import {
  compatibilityPartitioner,
  type kGetApi,
  type kGetConnection,
  type kPerformWithRetry,
  Producer,
  type ProducerOptions
} from "@platformatic/kafka"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Errors, type LogEvent, Network, type Plugin } from "fapilog"
import { transportFailure } from "../../../shared/src/transportFailure.js"
import { brokersOf, type Compression, type Config } from "./config.js"
import { type Body, encodeMessages, messageKey, readBody } from "./messages.js"
import { isStale, type ProduceResponse, produce } from "./produce.js"
import { recordBatch } from "./records.js"

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
  21, // INVALID_REQUIRED_ACKS
  29, // TOPIC_AUTHORIZATION_FAILED
  31, // CLUSTER_AUTHORIZATION_FAILED
  32, // INVALID_TIMESTAMP (the topic's message.timestamp limits refuse an event's time)
  35, // UNSUPPORTED_VERSION
  42, // INVALID_REQUEST
  43, // UNSUPPORTED_FOR_MESSAGE_FORMAT
  44, // POLICY_VIOLATION
  58, // SASL_AUTHENTICATION_FAILED
  76, // UNSUPPORTED_COMPRESSION_TYPE
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

/**
 * Whether no resend fixes `e`: a Kafka error code of {@link PERMANENT} anywhere in it, or an
 * error the sink raised itself for a body or a broker it cannot write to (`permanent`).
 */
export const isPermanent = (e: unknown, depth = 0): boolean => {
  if (e === null || typeof e !== "object" || depth > 8) return false
  if ((e as { permanent?: unknown }).permanent === true) return true
  for (const code of errorCodes(e)) if (PERMANENT.has(code)) return true
  const o = e as { errors?: unknown; cause?: unknown }
  return (
    (Array.isArray(o.errors) && o.errors.some((x) => isPermanent(x, depth + 1))) ||
    (o.cause !== undefined && isPermanent(o.cause, depth + 1))
  )
}

/** A client error in one line: its message, the innermost cause's, and the Kafka error codes. */
export const describe = (e: unknown): string => {
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

/** What the sender uses of the client's producer: metadata, producer ids, and what `produce` uses. */
export type KafkaClient = Pick<
  Producer,
  | "metadata"
  | "clearMetadata"
  | "initIdempotentProducer"
  | typeof kGetApi
  | typeof kGetConnection
  | typeof kPerformWithRetry
>

/** The sender's settings. */
export interface SenderOptions {
  readonly topic: string
  readonly compression: Compression
  /** How long the broker may wait for the replicas' acknowledgements (Produce's timeout_ms). */
  readonly timeoutMs: number
}

const DUPLICATE_SEQUENCE_NUMBER = 46
/** The broker lost or refused the producer's state: a new producer id is taken before the next attempt. */
const PRODUCER_STATE = new Set([
  45, // OUT_OF_ORDER_SEQUENCE_NUMBER
  47, // INVALID_PRODUCER_EPOCH
  59 // UNKNOWN_PRODUCER_ID
])

/** Every answer of the broker inside a client error (a `ResponseError`, or one per try of the client's retry). */
const answersOf = (e: unknown, into: Array<ProduceResponse> = [], depth = 0): Array<ProduceResponse> => {
  if (e === null || typeof e !== "object" || depth > 4) return into
  const o = e as { response?: { responses?: unknown }; errors?: unknown }
  if (Array.isArray(o.response?.responses)) into.push(o.response as ProduceResponse)
  if (Array.isArray(o.errors)) for (const inner of o.errors) answersOf(inner, into, depth + 1)
  return into
}

/** Whether two request bodies are the same request (retries carry the very same bytes). */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a === b || (a.byteLength === b.byteLength && Buffer.compare(a, b) === 0)

/** Message indices by partition: keyed messages by the key's murmur2 hash, the others by the seed. */
const placeMessages = (body: Body, partitions: number): Map<number, Int32Array> => {
  const n = body.count
  let keyed = false
  for (let i = 0; i < n && !keyed; i++) keyed = body.keyAt[i]! >= 0
  if (!keyed)
    return new Map(n === 0 ? [] : [[body.seed % partitions, Int32Array.from({ length: n }, (_, i) => i)]])
  const lists = new Map<number, Array<number>>()
  for (let i = 0; i < n; i++) {
    const key = messageKey(body, i)
    const p = (key === undefined ? body.seed : compatibilityPartitioner(undefined as never, key)) % partitions
    let list = lists.get(p)
    if (list === undefined) lists.set(p, (list = []))
    list.push(i)
  }
  return new Map([...lists].map(([p, list]) => [p, Int32Array.from(list)]))
}

/**
 * The send of one request body (see the header comment): the record batches written here, one
 * Produce request per leader, partitions fixed by the request, partitions already acknowledged
 * left out of a resend, a new producer id after an abandoned request.
 */
export const sender = (client: KafkaClient, options: SenderOptions) => {
  const { topic, compression, timeoutMs } = options
  let pending: { readonly body: Uint8Array; readonly done: Set<number>; partitions: number } | undefined
  let previous: Promise<unknown> = Promise.resolve()
  let identity: { readonly producerId: bigint; readonly producerEpoch: number } | undefined
  let renew = false
  // the next sequence number of each partition, advanced once the broker acknowledged a batch
  const sequences = new Map<number, number>()

  const partitionsOf = async () => {
    const metadata = await client.metadata({ topics: [topic] })
    const partitions = metadata.topics.get(topic)?.partitions ?? []
    if (partitions.length < 1) throw new Error(`the topic ${topic} has no partitions`)
    return { metadata, partitions }
  }

  const attempt = async (bytes: Uint8Array): Promise<void> => {
    // a body that is not this sink's (another sink's spool) throws here, before any state changes
    const body = readBody(bytes)
    if (body.count === 0) return
    if (pending === undefined || !sameBytes(pending.body, bytes)) {
      // the previous request was given up: it may have been written, its numbers not advanced
      if (pending !== undefined) renew = true
      pending = { body: bytes, done: new Set(), partitions: 0 }
    }
    if (identity === undefined || renew) {
      identity = await client.initIdempotentProducer({})
      sequences.clear()
      renew = false
    }
    const { producerId, producerEpoch } = identity
    const done = pending.done
    let { metadata, partitions } = await partitionsOf()
    // the request's messages stay where its first attempt placed them, whatever partitions
    // were added since (a topic's partitions are only ever added): a resend leaves out the
    // partitions an earlier attempt wrote, and must not move messages into or out of them
    if (pending.partitions === 0) pending.partitions = partitions.length
    const placed = placeMessages(body, pending.partitions)
    for (let round = 0; ; round++) {
      // a resend leaves out the partitions an earlier attempt had written
      const byLeader = new Map<number, Array<number>>()
      for (const p of placed.keys()) {
        if (done.has(p)) continue
        const leader = partitions[p]?.leader ?? -1
        let list = byLeader.get(leader)
        if (list === undefined) byLeader.set(leader, (list = []))
        list.push(p)
      }
      const leaders = [...byLeader]
      const outcomes = await Promise.allSettled(
        leaders.map(([leader, ps]) => {
          const broker = metadata.brokers.get(leader)
          if (broker === undefined)
            return Promise.reject(
              Object.assign(new Error(`no leader for partitions ${ps.join(", ")} of ${topic}`), {
                hasStaleMetadata: true
              })
            )
          const batches = ps.map((partition) => ({
            partition,
            batch: recordBatch(
              body,
              placed.get(partition)!,
              { producerId, producerEpoch, baseSequence: sequences.get(partition) ?? 0 },
              compression
            )
          }))
          return produce(client, broker, topic, timeoutMs, batches)
        })
      )
      const failures: Array<unknown> = []
      const acknowledged = (p: number) => {
        sequences.set(p, ((sequences.get(p) ?? 0) + placed.get(p)!.length) % 0x80000000)
        done.add(p)
      }
      for (const [k, outcome] of outcomes.entries()) {
        const ps = leaders[k]![1]
        if (outcome.status === "fulfilled") {
          for (const p of ps) acknowledged(p)
          continue
        }
        // partitions the broker took (or already had: a duplicate) in any answer of the client's
        // tries, though it refused others (or refused them on a later try)
        for (const answer of answersOf(outcome.reason))
          for (const t of answer.responses)
            for (const r of t.partitionResponses)
              if (
                (r.errorCode === 0 || r.errorCode === DUPLICATE_SEQUENCE_NUMBER) &&
                ps.includes(r.index) &&
                !done.has(r.index)
              )
                acknowledged(r.index)
        if (ps.some((p) => !done.has(p))) failures.push(outcome.reason)
      }
      if (failures.length === 0) break
      if (failures.some((e) => [...errorCodes(e)].some((code) => PRODUCER_STATE.has(code)))) renew = true
      // a leader moved: once more with fresh metadata, as the client's producer does
      if (round === 0 && !renew && failures.some(isStale)) {
        client.clearMetadata()
        ;({ metadata, partitions } = await partitionsOf())
        continue
      }
      throw Object.assign(new Error("Producing messages failed."), { errors: failures })
    }
    pending = undefined
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

/** Whether this Node's zlib has zstd (22.15 and later). */
const zstdAvailable = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === "function"

/**
 * Why `compression` cannot be used on this Node (zstd without zlib's zstd), or undefined: the
 * sink refuses to open rather than fail every request.
 */
export const compressionProblem = (compression: Compression, zstd = zstdAvailable): string | undefined =>
  compression === "zstd" && !zstd
    ? `compression "zstd" needs Node 22.15 or later (zlib's zstd), this is Node ${process.versions.node}; use one of none, gzip, snappy, lz4`
    : undefined

/** Opens the Kafka sink: an idempotent producer in the sink's scope, under `Network.make`. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const problem = compressionProblem(config.compression ?? defaults.compression)
    if (problem !== undefined)
      return yield* Effect.fail(new Errors.SinkError({ sink: nameOf(config), reason: problem }))
    // read once: its TLS files are read from disk
    const clientOptions = producerOptions(config)
    const producer = yield* Effect.acquireRelease(
      Effect.sync(() => new Producer<Buffer, Buffer, Buffer, Buffer>(clientOptions)),
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
    const send = sender(producer, {
      topic: config.topic,
      compression: config.compression ?? defaults.compression,
      // the broker's wait for the replicas ends before the client's wait for the answer, so a
      // slow acknowledgement comes back as REQUEST_TIMED_OUT (retried by the client) rather than
      // as the client's own timeout
      timeoutMs: Math.max(1, Math.floor(0.9 * (clientOptions.timeout ?? defaults.timeoutMs)))
    })
    const keyField = config.keyField ?? defaults.keyField
    let seed = Math.floor(Math.random() * 0x7fffffff)
    const transport: Network.Transport = {
      send: (request) =>
        Effect.tryPromise({
          try: () => send(request.body),
          catch: transportFailure((e) => isPermanent(e), describe)
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
