import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Metric, MetricState } from "effect"
import { createLogger, Errors, Fapilog, Metrics, type Sink } from "fapilog"
import { parseExposition, promtoolCheck, sampleValue } from "./support/exposition.js"

const scrape = () => parseExposition(Metrics.text())

/** An asynchronous sink whose writes always fail, and which says what its spool holds. */
const failing = (name: string): Sink.Sink => ({
  name,
  write: () => Effect.fail(new Errors.SinkError({ sink: name, reason: "endpoint down" })),
  health: () => ({ status: "ok", spoolBytes: 4096 })
})

describe("Metrics.text", () => {
  it("counts every event by pipeline, logger and level; the logger's series go when it closes", async () => {
    const log = await createLogger({ name: "metrics-levels", metrics: true, sinks: ["null"] })
    for (let i = 0; i < 7; i++) log.info("served")
    for (let i = 0; i < 3; i++) log.warn("slow")
    log.error("failed")
    log.audit("granted")
    await log.flush()
    const m = scrape()
    const events = (level: string) =>
      sampleValue(m, "fapilog_events_total", { pipeline: "metrics-levels", logger: "metrics-levels", level })
    assert.deepStrictEqual(["info", "warn", "error", "audit", "debug"].map(events), [7, 3, 1, 1, undefined])
    assert.strictEqual(sampleValue(m, "fapilog_events_accepted_total", { pipeline: "metrics-levels" }), 12)
    assert.strictEqual(
      sampleValue(m, "fapilog_events_written_total", { pipeline: "metrics-levels", sink: "null" }),
      12
    )
    assert.strictEqual(sampleValue(m, "fapilog_events_queued", { pipeline: "metrics-levels" }), 0)
    assert.strictEqual(sampleValue(m, "fapilog_buffer_capacity_events", { pipeline: "metrics-levels" }), 1024)
    assert.strictEqual(sampleValue(m, "fapilog_pipelines", { pipeline: "metrics-levels" }), 1)
    // one batch of 12: the size histogram has it; the duration and write histograms one observation each
    assert.strictEqual(sampleValue(m, "fapilog_batch_size_events_sum", { pipeline: "metrics-levels" }), 12)
    assert.strictEqual(
      sampleValue(m, "fapilog_batch_duration_seconds_count", { pipeline: "metrics-levels" }),
      1
    )
    assert.strictEqual(
      sampleValue(m, "fapilog_sink_write_duration_seconds_count", {
        pipeline: "metrics-levels",
        sink: "null"
      }),
      1
    )
    const check = promtoolCheck(Metrics.text())
    assert.strictEqual(check.status, 0, check.output)
    await log.close()
    assert.isFalse(scrape().samples.some((s) => s.labels.pipeline === "metrics-levels"))
  })

  it("leaves out loggers without metrics: true", async () => {
    const log = await createLogger({ name: "metrics-off", sinks: ["null"] })
    log.info("x")
    await log.flush()
    assert.isFalse(scrape().samples.some((s) => s.labels.pipeline === "metrics-off"))
    await log.close()
  })

  it("adds up loggers of the same name, and tells loggers of other names apart", async () => {
    const a = await createLogger({ name: "metrics-twin", metrics: true, sinks: ["null"] })
    const b = await createLogger({ name: "metrics-twin", metrics: true, sinks: ["null"] })
    const c = await createLogger({ name: "metrics-other", metrics: true, sinks: ["null"] })
    a.info("a")
    b.info("b")
    b.info("b")
    c.info("c")
    await Promise.all([a.flush(), b.flush(), c.flush()])
    const m = scrape()
    assert.strictEqual(sampleValue(m, "fapilog_events_total", { pipeline: "metrics-twin", level: "info" }), 3)
    assert.strictEqual(sampleValue(m, "fapilog_pipelines", { pipeline: "metrics-twin" }), 2)
    assert.strictEqual(
      sampleValue(m, "fapilog_events_total", { pipeline: "metrics-other", level: "info" }),
      1
    )
    await Promise.all([a.close(), b.close(), c.close()])
  })

  it("counts refusals by reason and level, and what a processor filtered", async () => {
    const log = await createLogger({
      name: "metrics-refused",
      metrics: true,
      sinks: ["null"],
      capacity: 2,
      overflow: "drop-newest",
      sampling: { kind: "rate", every: 2 }
    })
    // one turn of the event loop: the buffer of 2 takes the first two, refuses the rest
    for (let i = 0; i < 5; i++) log.info("burst")
    await log.flush()
    const m = scrape()
    assert.strictEqual(
      sampleValue(m, "fapilog_events_refused_total", {
        pipeline: "metrics-refused",
        reason: "overflow",
        level: "info"
      }),
      3
    )
    assert.strictEqual(
      sampleValue(m, "fapilog_events_filtered_total", { pipeline: "metrics-refused", processor: "sampling" }),
      log.stats().filteredBy.sampling
    )
    assert.isAbove(log.stats().filteredBy.sampling ?? 0, 0)
    await log.close()
  })

  it("counts a failing sink's errors and retries, its circuit state, what went to the fallback, and its spool bytes", async () => {
    const log = await createLogger({
      name: "metrics-failing",
      metrics: true,
      sinks: [failing("flaky")],
      fallback: "null",
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 60_000 }
    })
    log.error("one")
    await log.flush()
    log.error("two")
    await log.flush()
    const m = scrape()
    const sink = { pipeline: "metrics-failing", sink: "flaky" }
    assert.strictEqual(sampleValue(m, "fapilog_sink_errors_total", sink), 1)
    // the first write and its two retries; the second batch found the circuit open
    assert.strictEqual(sampleValue(m, "fapilog_sink_retries_total", sink), 2)
    assert.strictEqual(sampleValue(m, "fapilog_sink_circuit_state", { ...sink, state: "open" }), 1)
    assert.strictEqual(sampleValue(m, "fapilog_sink_circuit_state", { ...sink, state: "closed" }), 0)
    assert.strictEqual(sampleValue(m, "fapilog_events_undelivered_total", sink), 2)
    assert.strictEqual(sampleValue(m, "fapilog_events_written_total", sink), 0)
    assert.strictEqual(sampleValue(m, "fapilog_sink_spool_bytes", sink), 4096)
    // only the attempted write was timed
    assert.strictEqual(sampleValue(m, "fapilog_sink_write_duration_seconds_count", sink), 1)
    await log.close()
  })
})

describe("Metrics.layerEffectMetrics", () => {
  const counterValue = (name: string, tags: Readonly<Record<string, string>>): number | undefined => {
    for (const pair of Metric.unsafeSnapshot()) {
      if (pair.metricKey.name !== name) continue
      const own = Object.fromEntries(pair.metricKey.tags.map((t) => [t.key, t.value]))
      if (!Object.entries(tags).every(([k, v]) => own[k] === v)) continue
      const state = pair.metricState
      if (MetricState.isCounterState(state)) return Number(state.count)
      if (MetricState.isGaugeState(state)) return Number(state.value)
      if (MetricState.isHistogramState(state)) return state.count
    }
    return undefined
  }

  it.scopedLive(
    "publishes a closing logger's last counts before it leaves, without waiting for the interval",
    () =>
      Effect.gen(function* () {
        yield* Layer.build(Metrics.layerEffectMetrics({ interval: "1 hour" }))
        const log = yield* Effect.promise(() =>
          createLogger({ name: "metrics-closing", metrics: true, sinks: ["null"] })
        )
        log.info("a")
        log.info("b")
        yield* Effect.promise(() => log.close())
        assert.strictEqual(
          counterValue("fapilog_events_total", { pipeline: "metrics-closing", level: "info" }),
          2
        )
      })
  )

  it.scopedLive(
    "publishes the counters, gauges and histograms as Effect Metrics with the same names and labels",
    () =>
      Effect.gen(function* () {
        const fapilog = yield* Layer.build(
          Fapilog.layer({ name: "metrics-effect", metrics: true, sinks: ["null"], level: "trace" })
        )
        const bridge = Layer.build(Metrics.layerEffectMetrics({ interval: "20 millis" }))
        yield* bridge
        yield* Effect.gen(function* () {
          yield* Effect.logInfo("a")
          yield* Effect.logInfo("b")
          yield* Effect.logWarning("c")
          yield* Fapilog.flush
        }).pipe(Effect.provide(Layer.succeedContext(fapilog)))
        // the next sync brings the counters up to date
        yield* Effect.sleep("100 millis")
        const tags = { pipeline: "metrics-effect", logger: "metrics-effect" }
        assert.strictEqual(counterValue("fapilog_events_total", { ...tags, level: "info" }), 2)
        assert.strictEqual(counterValue("fapilog_events_total", { ...tags, level: "warning" }), undefined)
        assert.strictEqual(counterValue("fapilog_events_total", { ...tags, level: "warn" }), 1)
        assert.strictEqual(
          counterValue("fapilog_buffer_capacity_events", { pipeline: "metrics-effect" }),
          1024
        )
        assert.strictEqual(counterValue("fapilog_batch_size_events", { pipeline: "metrics-effect" }), 1)
        assert.strictEqual(
          counterValue("fapilog_sink_write_duration_seconds", { pipeline: "metrics-effect", sink: "null" }),
          1
        )
      })
  )
})
