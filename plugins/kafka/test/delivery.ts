/** How the Kafka tests log through the client to the test broker and read back what it stored. */
import { createLogger, type Logger, Plugin, type Settings } from "fapilog"
import * as Kafka from "../src/index.js"
import { ErrorCodes, type Fault, type KafkaBroker, type Stored } from "./kafkaBroker.js"

/** Short linger, retry and breaker delays, so a fault is recovered from quickly. */
export const fast = {
  batch: { maxWaitMs: 20 },
  timeoutMs: 5000,
  retry: { initialDelayMs: 20, maxDelayMs: 200 },
  circuitBreaker: { resetMs: 200 }
}

/** The settings entry of a sink to this broker's topic. */
export const entryFor = (
  broker: KafkaBroker,
  topic: string,
  more: Readonly<Record<string, unknown>> = {}
): Settings.SinkSetting => Plugin.entry("kafka", { brokers: [broker.address], topic, ...fast, ...more })

/** A logger with this plugin in `plugins.use`. */
export const loggerFor = (
  sinks: Settings.Settings["sinks"],
  settings: Settings.Settings = {}
): Promise<Logger.Logger> => createLogger({ ...settings, plugins: { use: [Kafka.plugin] }, sinks })

/** The event (the JSON line) a stored message carries. */
export const eventOf = (m: Stored): Record<string, unknown> =>
  JSON.parse(m.value ?? "null") as Record<string, unknown>

/** The messages of the stored events, in offset order per partition, partitions in order. */
export const byPartition = (stored: ReadonlyArray<Stored>): Map<number, Array<Stored>> => {
  const out = new Map<number, Array<Stored>>()
  for (const m of [...stored].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
    const list = out.get(m.partition) ?? []
    list.push(m)
    out.set(m.partition, list)
  }
  return out
}

/**
 * Faults of a two-node broker: node 2 answers REQUEST_TIMED_OUT, without writing, to its first
 * three Produce requests (the client's three tries of one send), while node 1 writes.
 */
export const node2RefusesThrice = (n: number, node: number): Fault | undefined =>
  node === 2 && n < 3 ? { kind: "error", code: ErrorCodes.REQUEST_TIMED_OUT } : undefined
