import { assert, describe, it } from "@effect/vitest"
import { levels } from "../../src/internal/level.js"
import {
  collect,
  Deltas,
  type Family,
  Histogram,
  maxLoggers,
  otherLogger,
  PipelineMetrics,
  type PipelineSnapshot,
  secondsBounds
} from "../../src/internal/metrics.js"
import { type LogRecord, recordOf } from "../../src/internal/record.js"

const record = (level: keyof typeof levels, logger: string): LogRecord =>
  recordOf(levels[level], "m", { logger })

const empty = (name: string): PipelineSnapshot => ({
  name,
  events: [],
  accepted: 0,
  queued: 0,
  buffered: 0,
  capacity: 10,
  refusedBy: {},
  lostBy: {},
  filteredBy: {},
  batchSize: new Histogram([1, 10]).state(),
  batchSeconds: new Histogram(secondsBounds).state(),
  sinks: []
})

const family = (all: ReadonlyArray<Family>, name: string): Family => {
  const f = all.find((x) => x.name === name)
  if (f === undefined) throw new Error(`no family ${name}`)
  return f
}

describe("Histogram", () => {
  it("puts a value in the first bucket whose bound is at or above it; above every bound in the last", () => {
    const h = new Histogram([1, 5])
    for (const v of [0, 1, 1.5, 5, 6, -3]) h.observe(v)
    const s = h.state()
    assert.deepStrictEqual(s.counts, [3, 2, 1])
    assert.strictEqual(s.count, 6)
    // a negative duration (a clock stepping back) counts as 0
    assert.strictEqual(s.sum, 0 + 1 + 1.5 + 5 + 6)
  })
})

describe("PipelineMetrics", () => {
  it("counts events by logger and level", () => {
    const m = new PipelineMetrics("p")
    m.count([record("info", "app"), record("info", "app"), record("warn", "app"), record("info", "app.db")])
    m.count([record("security", "app.db")])
    assert.deepStrictEqual(m.events(), [
      { logger: "app", level: "info", count: 2 },
      { logger: "app", level: "warn", count: 1 },
      { logger: "app.db", level: "info", count: 1 },
      { logger: "app.db", level: "security", count: 1 }
    ])
  })

  it(`counts past ${maxLoggers} distinct logger names under ${otherLogger}`, () => {
    const m = new PipelineMetrics("p")
    m.count(Array.from({ length: maxLoggers + 5 }, (_, i) => record("info", `l${i}`)))
    const events = m.events()
    assert.strictEqual(events.length, maxLoggers + 1)
    assert.deepStrictEqual(
      events.find((e) => e.logger === otherLogger),
      { logger: otherLogger, level: "info", count: 5 }
    )
  })

  it("observes batch sizes and durations, and each sink's write durations", () => {
    const m = new PipelineMetrics("p")
    m.batchDone(3, 0.002)
    m.sinkWrite("file", 0.001)
    m.sinkWrite("file", 0.3)
    assert.strictEqual(m.batchSize.state().sum, 3)
    assert.strictEqual(m.batchSeconds.state().count, 1)
    assert.strictEqual(m.sinkSeconds.get("file")?.state().count, 2)
  })
})

describe("collect", () => {
  it("adds up the series of pipelines with the same name; each name keeps its own", () => {
    const a = { ...empty("api"), events: [{ logger: "api", level: "info", count: 2 }], accepted: 2 }
    const b = { ...empty("api"), events: [{ logger: "api", level: "info", count: 3 }], accepted: 3 }
    const c = { ...empty("worker"), events: [{ logger: "worker", level: "info", count: 7 }], accepted: 7 }
    const all = collect([a, b, c])
    const events = family(all, "fapilog_events_total")
    assert.deepStrictEqual(
      events.samples.map((s) => ("value" in s ? [s.labels, s.value] : undefined)),
      [
        [
          [
            ["pipeline", "api"],
            ["logger", "api"],
            ["level", "info"]
          ],
          5
        ],
        [
          [
            ["pipeline", "worker"],
            ["logger", "worker"],
            ["level", "info"]
          ],
          7
        ]
      ]
    )
    const pipelines = family(all, "fapilog_pipelines")
    assert.deepStrictEqual(
      pipelines.samples.map((s) => ("value" in s ? s.value : undefined)),
      [2, 1]
    )
  })

  it("reports refusals by reason and level, losses by source, filtering by processor, and each sink", () => {
    const all = collect([
      {
        ...empty("p"),
        refusedBy: { overflow: { info: 4, debug: 1 } },
        lostBy: { pipeline: 2, loki: 9 },
        filteredBy: { sampling: 11 },
        sinks: [
          {
            name: "loki",
            written: 5,
            spilled: 1,
            toFallback: 2,
            undelivered: 3,
            failures: 4,
            retries: 6,
            circuit: "open",
            spoolBytes: 4096,
            writeSeconds: new Histogram(secondsBounds).state()
          }
        ]
      }
    ])
    const values = (name: string) =>
      family(all, name).samples.map((s) =>
        "value" in s ? `${s.labels.map(([k, v]) => `${k}=${v}`).join(",")} ${s.value}` : ""
      )
    assert.deepStrictEqual(values("fapilog_events_refused_total"), [
      "pipeline=p,reason=overflow,level=info 4",
      "pipeline=p,reason=overflow,level=debug 1"
    ])
    assert.deepStrictEqual(values("fapilog_events_lost_total"), [
      "pipeline=p,source=pipeline 2",
      "pipeline=p,source=loki 9"
    ])
    assert.deepStrictEqual(values("fapilog_events_filtered_total"), ["pipeline=p,processor=sampling 11"])
    assert.deepStrictEqual(values("fapilog_sink_circuit_state"), [
      "pipeline=p,sink=loki,state=closed 0",
      "pipeline=p,sink=loki,state=open 1",
      "pipeline=p,sink=loki,state=half-open 0"
    ])
    assert.deepStrictEqual(values("fapilog_sink_spool_bytes"), ["pipeline=p,sink=loki 4096"])
    assert.deepStrictEqual(values("fapilog_sink_retries_total"), ["pipeline=p,sink=loki 6"])
    assert.deepStrictEqual(values("fapilog_events_undelivered_total"), ["pipeline=p,sink=loki 3"])
    assert.strictEqual(family(all, "fapilog_sink_write_duration_seconds").type, "histogram")
  })

  it("has no families at all without pipelines", () => {
    assert.deepStrictEqual(collect([]), [])
  })
})

describe("Deltas", () => {
  it("sends counters as increments, gauges as values, and a gauge gone since as 0", () => {
    const deltas = new Deltas()
    const sent: Array<string> = []
    const step = (snapshots: ReadonlyArray<PipelineSnapshot>) =>
      deltas.step(
        collect(snapshots),
        (name, _help, labels, increment) => {
          if (name === "fapilog_events_accepted_total") sent.push(`+${increment} ${labels[0]?.[1]}`)
        },
        (name, _help, labels, value) => {
          if (name === "fapilog_buffer_events") sent.push(`=${value} ${labels[0]?.[1]}`)
        }
      )
    step([{ ...empty("a"), accepted: 3, buffered: 2 }])
    step([{ ...empty("a"), accepted: 3, buffered: 1 }])
    step([{ ...empty("a"), accepted: 10, buffered: 0 }])
    // a pipeline of that name closed and another opened: no negative increment
    step([{ ...empty("a"), accepted: 4 }])
    step([{ ...empty("a"), accepted: 6 }])
    step([])
    assert.deepStrictEqual(sent, ["+3 a", "=2 a", "=1 a", "+7 a", "=0 a", "=0 a", "+2 a", "=0 a", "=0 a"])
  })
})
