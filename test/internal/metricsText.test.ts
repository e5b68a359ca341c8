import { assert, describe, it } from "@effect/vitest"
import { collect, Histogram, type PipelineSnapshot, secondsBounds } from "../../src/internal/metrics.js"
import { contentType, formatValue, render } from "../../src/internal/metricsText.js"
import { parseExposition, promtoolCheck, sampleValue } from "../support/exposition.js"

const snapshot = (name: string, logger: string): PipelineSnapshot => {
  const seconds = new Histogram(secondsBounds)
  for (const v of [0.00005, 0.002, 0.002, 3, 60]) seconds.observe(v)
  const sizes = new Histogram([1, 10])
  sizes.observe(1)
  sizes.observe(7)
  return {
    name,
    events: [
      { logger, level: "info", count: 3 },
      { logger, level: "error", count: 1 }
    ],
    accepted: 4,
    queued: 0,
    buffered: 0,
    capacity: 1024,
    refusedBy: { closed: { info: 1 } },
    lostBy: {},
    filteredBy: {},
    batchSize: sizes.state(),
    batchSeconds: seconds.state(),
    sinks: [
      {
        name: 'file:/tmp/a "quoted" \\ path\nwith a line feed',
        written: 4,
        spilled: 0,
        toFallback: 0,
        undelivered: 0,
        failures: 0,
        retries: 0,
        circuit: "half-open",
        spoolBytes: undefined,
        writeSeconds: seconds.state()
      }
    ]
  }
}

describe("render", () => {
  const text = render(collect([snapshot("app", "app"), snapshot('we"ird\\name\n', "app.db")]))

  it("passes promtool check metrics", () => {
    const check = promtoolCheck(text)
    assert.strictEqual(check.status, 0, check.output)
    assert.strictEqual(check.output, "")
  })

  it("is read back by a strict parser: HELP and TYPE first, label values unescaped", () => {
    const parsed = parseExposition(text)
    assert.strictEqual(parsed.types.get("fapilog_events_total"), "counter")
    assert.strictEqual(parsed.types.get("fapilog_batch_duration_seconds"), "histogram")
    assert.strictEqual(parsed.types.get("fapilog_buffer_events"), "gauge")
    assert.strictEqual(sampleValue(parsed, "fapilog_events_total", { pipeline: "app", level: "info" }), 3)
    assert.strictEqual(
      sampleValue(parsed, "fapilog_events_total", {
        pipeline: 'we"ird\\name\n',
        logger: "app.db",
        level: "error"
      }),
      1
    )
    assert.strictEqual(
      sampleValue(parsed, "fapilog_sink_circuit_state", {
        pipeline: "app",
        sink: 'file:/tmp/a "quoted" \\ path\nwith a line feed',
        state: "half-open"
      }),
      1
    )
  })

  it("writes histograms as cumulative buckets up to +Inf, with _sum and _count", () => {
    const parsed = parseExposition(text)
    const at = (le: string) =>
      sampleValue(parsed, "fapilog_batch_duration_seconds_bucket", { pipeline: "app", le })
    assert.strictEqual(at("0.0001"), 1)
    assert.strictEqual(at("0.001"), 1)
    assert.strictEqual(at("0.0025"), 3)
    assert.strictEqual(at("5"), 4)
    assert.strictEqual(at("10"), 4)
    assert.strictEqual(at("+Inf"), 5)
    assert.strictEqual(sampleValue(parsed, "fapilog_batch_duration_seconds_count", { pipeline: "app" }), 5)
    assert.closeTo(
      sampleValue(parsed, "fapilog_batch_duration_seconds_sum", { pipeline: "app" }) ?? 0,
      0.00005 + 0.004 + 63,
      1e-9
    )
    assert.match(text, /^fapilog_batch_size_events_bucket\{pipeline="app",le="\+Inf"\} 2$/m)
  })

  it("escapes backslash, double quote and line feed in label values, and never breaks a line", () => {
    assert.include(text, 'pipeline="we\\"ird\\\\name\\n"')
    for (const line of text.split("\n").slice(0, -1))
      assert.match(line, /^(# (HELP|TYPE) \S+ .+|[a-z_]+(\{.*\})? \S+)$/)
  })

  it("keeps hostile names (control characters, a lone surrogate, line separators) valid and readable", () => {
    const hostile = "a\r\u0000b\t\ud800c\u2028d"
    const out = render(collect([snapshot(hostile, "x\r\ny")]))
    const check = promtoolCheck(out)
    assert.strictEqual(check.status, 0, check.output)
    // what a scraper receives: the text as UTF-8, where a lone surrogate becomes U+FFFD
    const parsed = parseExposition(Buffer.from(out, "utf8").toString("utf8"))
    assert.strictEqual(
      sampleValue(parsed, "fapilog_events_total", {
        pipeline: "a\r\u0000b\t\ufffdc\u2028d",
        logger: "x\r\ny",
        level: "info"
      }),
      3
    )
  })

  it("is empty without any live pipeline", () => {
    assert.strictEqual(render([]), "")
  })
})

describe("formatValue", () => {
  it("writes Go's float syntax for the special values", () => {
    assert.deepStrictEqual(
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 3, 0.25, 1e-7].map(formatValue),
      ["+Inf", "-Inf", "NaN", "3", "0.25", "1e-7"]
    )
  })
})

it("names the exposition format version in its content type", () => {
  assert.strictEqual(contentType, "text/plain; version=0.0.4; charset=utf-8")
})
