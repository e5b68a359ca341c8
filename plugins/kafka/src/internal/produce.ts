/**
 * One Produce request (API key 0) to one broker, carrying record batches the sink wrote itself
 * (records.ts), sent over the `@platformatic/kafka` client's own connection to that broker
 * (TLS, SASL and request timeouts as configured), at the Produce version the client agreed
 * with the broker, answered through the client's reading of that version's response, and
 * retried by the client's own retry (its `retries` and `retryDelay`) as its producer retries
 * a send.
 *
 * Request layout (https://kafka.apache.org/protocol#The_Messages_Produce), versions 7 to 11
 * (those the client implements): transactional_id (null), acks (-1: all), timeout_ms, then
 * one topic, its name and for each partition its index and its record batch. Versions 9 and
 * later are flexible: compact strings, arrays and records, tagged fields.
 */
import {
  type Broker,
  type Callback,
  type Connection,
  kGetApi,
  kGetConnection,
  kPerformWithRetry,
  type Producer,
  produceV7,
  produceV8,
  produceV9,
  produceV10,
  produceV11,
  type ResponseParser,
  Writer
} from "@platformatic/kafka"
import { permanentError } from "./messages.js"

/** A Produce answer, as the client reads it (the same shape at versions 7 to 11). */
export type ProduceResponse = produceV9.ProduceResponse

const PRODUCE = 0
/** The latest Produce version this module writes (and the client reads). */
const MAX_VERSION = 11

const parsers: Readonly<Record<number, ResponseParser<ProduceResponse>>> = {
  7: produceV7.parseResponse,
  8: produceV8.parseResponse,
  9: produceV9.parseResponse,
  10: produceV10.parseResponse,
  11: produceV11.parseResponse
}

/** A partition's record batch. */
export interface PartitionBatch {
  readonly partition: number
  readonly batch: Buffer
}

/** The payload of a Produce request of `version` (7 to 11) with acks=all. */
export const produceRequest = (
  version: number,
  topic: string,
  timeoutMs: number,
  batches: ReadonlyArray<PartitionBatch>
): Writer => {
  const flexible = version >= 9
  const writer = Writer.create()
    .appendString(null, flexible)
    .appendInt16(-1)
    .appendInt32(timeoutMs)
    .appendArray(
      [topic],
      (w, name) =>
        w.appendString(name, flexible).appendArray(
          batches as Array<PartitionBatch>,
          (w, { partition, batch }) => {
            w.appendInt32(partition)
            if (flexible) w.appendUnsignedVarInt(batch.length + 1)
            else w.appendInt32(batch.length)
            w.append(batch)
          },
          flexible,
          flexible
        ),
      flexible,
      flexible
    )
  return flexible ? writer.appendTaggedFields() : writer
}

/** The client's internals this module uses: its connections, its API versions, its retry. */
type Client = Pick<Producer, typeof kGetApi | typeof kGetConnection | typeof kPerformWithRetry>

/** Whether a client error says its metadata is stale (a partition's leader moved). */
export const isStale = (e: unknown): boolean => {
  if ((e as { hasStaleMetadata?: unknown } | null)?.hasStaleMetadata === true) return true
  const findBy = (e as { findBy?: unknown } | null)?.findBy
  if (typeof findBy !== "function") return false
  const found: unknown = findBy.call(e, "hasStaleMetadata", true)
  return found !== null && found !== undefined
}

/**
 * Sends `batches` (partitions `broker` leads) of `topic` in one Produce request, retried by the
 * client as its own producer retries (but not when the leader moved: resending to the same
 * broker cannot help); resolves with the broker's answer, rejects with the client's error (a
 * `ResponseError` carrying the last answer when the broker refused some partitions).
 */
export const produce = (
  client: Client,
  broker: Broker,
  topic: string,
  timeoutMs: number,
  batches: ReadonlyArray<PartitionBatch>
): Promise<ProduceResponse> =>
  new Promise((resolve, reject) => {
    client[kPerformWithRetry]<ProduceResponse>(
      "produce",
      (retry) => {
        client[kGetConnection](broker, (error: Error | null, connection?: Connection) => {
          if (error !== null || connection === undefined) return retry(error ?? new Error("no connection"))
          client[kGetApi]("Produce", (error: Error | null, api?: { readonly version: number }) => {
            if (error !== null || api === undefined) return retry(error ?? new Error("no Produce API"))
            // the highest version both the client and the broker take; a later client may choose
            // a version past 11, and a broker taking that takes 11 as well
            const version = Math.min(api.version, MAX_VERSION)
            const parser = parsers[version]
            if (parser === undefined)
              return retry(
                permanentError(
                  `the broker takes no Produce version the Kafka sink writes (7 to 11; the client chose ${api.version})`
                )
              )
            connection.send(
              PRODUCE,
              version,
              () => produceRequest(version, topic, timeoutMs, batches),
              parser,
              version >= 9,
              version >= 9,
              retry as Callback<ProduceResponse>
            )
          })
        })
      },
      (error: Error | null, response?: ProduceResponse) =>
        error !== null || response === undefined
          ? reject(error ?? new Error("no Produce answer"))
          : resolve(response),
      0,
      [],
      isStale
    )
  })
