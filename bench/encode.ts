/**
 * Network encoding, one case per process: `node --import tsx bench/encode.ts <case> <events> <file>`.
 * Each case turns requests of 1,000 events (about 200 bytes each as a JSON line) into the HTTP
 * body its sink sends, on one core: events in, bytes out, everything the plugin's encoder does
 * (the JSON line, the mapping, protobuf, snappy) included. Twenty requests are encoded before the
 * clock starts (a sink runs warm); then `<events>` / 1,000 requests are timed. Each request's
 * body length goes to `<file>` as one line, which the runner counts. Reports { ms, wallMs,
 * eventsPerSecond, wallEventsPerSecond, bytesPerEvent }.
 *
 * The rate is per second of CPU time the process used (user + system, GC threads included), so
 * that it states what one core encodes even on a machine busy with other work; the wall-clock
 * rate is reported beside it.
 *
 * The peer, `json-stringify`, is `JSON.stringify` of the same 1,000 events to UTF-8 bytes: no
 * mapping, no limits, no redaction, the least any encoder of these events could do.
 *
 * The plugins are imported from their sources (tsx), with the `fapilog` they import resolved to
 * this repository's sources by tsconfig paths, as in the plugins' tests.
 */
import * as fs from "node:fs"
import { makeEncoder as lokiEncoder } from "../plugins/loki/src/internal/sink.js"
import { makeEncoder as otlpEncoder } from "../plugins/otlp/src/internal/sink.js"
import type { LogEvent } from "../src/index.js"
import { type CaseResult, caseArgs, runCase } from "./common.js"

const { name, n: N, file } = caseArgs("encode.ts")

/** Events per request, as a network sink's default batch. */
export const REQUEST_EVENTS = 1_000
const WARMUP_REQUESTS = 20

const base = Date.UTC(2026, 0, 2, 3, 4, 5, 6)

/** Event `i` of a request: a handled request with trace ids and three fields, its JSON line 208 to 211 bytes. */
const eventAt = (i: number): LogEvent.LogEvent => ({
  id: `9f3a6c1e2b7d4058-${i}`,
  timestamp: new Date(base + i).toISOString(),
  level: i % 10 === 0 ? "warn" : "info",
  logger: "app",
  message: "request handled",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  fields: { status: 200, durationMs: 12.5 + (i % 7), i }
})

const events: ReadonlyArray<LogEvent.LogEvent> = Array.from({ length: REQUEST_EVENTS }, (_, i) => eventAt(i))

const context = { service: "checkout", report: () => {} }

const encoders: Record<string, (events: ReadonlyArray<LogEvent.LogEvent>) => Uint8Array | string> = {
  "json-stringify": (es) => Buffer.from(JSON.stringify(es)),
  "otlp-protobuf": bodyOf(otlpEncoder({ encoding: "protobuf" }, context)),
  "otlp-json": bodyOf(otlpEncoder({ encoding: "json" }, context)),
  "loki-protobuf": bodyOf(lokiEncoder({ url: "http://loki:3100", encoding: "protobuf" }, context)),
  "loki-json": bodyOf(lokiEncoder({ url: "http://loki:3100", encoding: "json" }, context))
}

function bodyOf(
  encode: (events: ReadonlyArray<LogEvent.LogEvent>) => { readonly body: Uint8Array | string }
): (events: ReadonlyArray<LogEvent.LogEvent>) => Uint8Array | string {
  return (es) => encode(es).body
}

const lengthOf = (body: Uint8Array | string): number =>
  typeof body === "string" ? Buffer.byteLength(body) : body.byteLength

const measure = (encode: (events: ReadonlyArray<LogEvent.LogEvent>) => Uint8Array | string) => async () => {
  for (let r = 0; r < WARMUP_REQUESTS; r++) encode(events)
  const requests = Math.max(1, Math.round(N / REQUEST_EVENTS))
  const lengths = new Array<number>(requests)
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  for (let r = 0; r < requests; r++) lengths[r] = lengthOf(encode(events))
  const cpu = process.cpuUsage(cpuStart)
  const wallMs = performance.now() - start
  const ms = (cpu.user + cpu.system) / 1000
  fs.writeFileSync(file, lengths.map((l) => `${l}\n`).join(""))
  const total = requests * REQUEST_EVENTS
  const result: CaseResult = {
    case: name,
    expectedLines: requests,
    metrics: {
      ms,
      wallMs,
      eventsPerSecond: (total / ms) * 1000,
      wallEventsPerSecond: (total / wallMs) * 1000,
      bytesPerEvent: lengths.reduce((a, b) => a + b, 0) / total
    }
  }
  return result
}

await runCase(name, Object.fromEntries(Object.entries(encoders).map(([k, encode]) => [k, measure(encode)])))
