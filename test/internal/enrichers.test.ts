import * as os from "node:os"
import { assert, describe, it } from "@effect/vitest"
import {
  type Enricher,
  type EnricherInput,
  RUNTIME_INTERVAL_MIN_MS,
  RuntimeSampler,
  runCallSiteEnrichers,
  runEnrichers,
  running,
  staticFields
} from "../../src/internal/enrichers.js"
import { defaultLimits } from "../../src/internal/json.js"
import * as L from "../../src/internal/level.js"
import { Bindings, type Fields, formatJsonLine, type LogRecord, recordOf } from "../../src/internal/record.js"

const T = Date.UTC(2026, 0, 2, 3, 4, 5, 6)

const record = (message: unknown = "msg", fields?: Fields, bindings?: Fields): LogRecord =>
  recordOf(L.WARN, message, { time: T, logger: "app", fields, bindings })

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const burnCpu = (ms: number): void => {
  const end = Date.now() + ms
  let x = 0
  while (Date.now() < end) x += Math.sqrt(x + 1)
  assert.isTrue(x > 0)
}

describe("staticFields", () => {
  it("adds nothing by default", () => {
    assert.deepStrictEqual(staticFields({}, {}), {})
  })

  it("adds hostname and pid when enabled", () => {
    assert.deepStrictEqual(staticFields({ hostname: true, pid: true }, {}), {
      hostname: os.hostname(),
      pid: process.pid
    })
    assert.deepStrictEqual(staticFields({ hostname: false, pid: false }, {}), {})
  })

  it("takes service, env and version from FAPILOG_* when not given", () => {
    const env = { FAPILOG_SERVICE: "checkout", FAPILOG_ENV: "prod", FAPILOG_VERSION: "1.4.2" }
    assert.deepStrictEqual(staticFields({}, env), { service: "checkout", env: "prod", version: "1.4.2" })
  })

  it("prefers given values, and an empty given value switches the key off", () => {
    const env = { FAPILOG_SERVICE: "from-env", FAPILOG_ENV: "from-env", FAPILOG_VERSION: "from-env" }
    assert.deepStrictEqual(staticFields({ service: "given", env: "", version: "2.0.0" }, env), {
      service: "given",
      version: "2.0.0"
    })
  })

  it("treats empty variables as absent", () => {
    assert.deepStrictEqual(staticFields({}, { FAPILOG_SERVICE: "", FAPILOG_ENV: "" }), {})
  })

  it("reads the Kubernetes downward-API variables that are set", () => {
    const env = { POD_NAME: "web-7d9f", POD_NAMESPACE: "shop", NODE_NAME: "node-3", POD_IP: "10.0.0.7" }
    assert.deepStrictEqual(staticFields({ kubernetes: true }, env), {
      k8s: { pod: "web-7d9f", namespace: "shop", node: "node-3" }
    })
    assert.deepStrictEqual(staticFields({ kubernetes: true }, { POD_NAME: "web-7d9f", NODE_NAME: "" }), {
      k8s: { pod: "web-7d9f" }
    })
    assert.deepStrictEqual(staticFields({ kubernetes: true }, {}), {})
    assert.deepStrictEqual(staticFields({ kubernetes: false }, env), {})
    assert.deepStrictEqual(staticFields({}, env), {})
  })

  it("reads Kubernetes values from configured variable names", () => {
    const env = { MY_POD: "api-1", MY_NS: "prod", POD_NAME: "ignored", NODE_NAME: "node-1" }
    assert.deepStrictEqual(staticFields({ kubernetes: { podEnv: "MY_POD", namespaceEnv: "MY_NS" } }, env), {
      k8s: { pod: "api-1", namespace: "prod", node: "node-1" }
    })
  })
})

describe("RuntimeSampler", () => {
  it("refuses intervals that would sample too often", () => {
    for (const intervalMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, RUNTIME_INTERVAL_MIN_MS - 1]) {
      assert.throws(() => new RuntimeSampler({ intervalMs }), RangeError)
    }
  })

  it("has no sample before the first interval", () => {
    assert.isUndefined(new RuntimeSampler({ intervalMs: 1000 }).current())
  })

  it("never holds the process open, and stop leaves nothing behind", () => {
    const before = process.getActiveResourcesInfo().length
    const sampler = new RuntimeSampler({ intervalMs: 1000 })
    sampler.start()
    sampler.start()
    assert.strictEqual(process.getActiveResourcesInfo().length, before)
    sampler.stop()
    sampler.stop()
    assert.strictEqual(process.getActiveResourcesInfo().length, before)
  })

  it("sampleNow returns the documented shape with plausible numbers", async () => {
    const sampler = new RuntimeSampler({ intervalMs: 60_000 })
    sampler.start()
    try {
      await sleep(60)
      const sample = sampler.sampleNow()
      assert.deepStrictEqual(Object.keys(sample), ["runtime"])
      const rt = sample.runtime as Record<string, unknown>
      assert.deepStrictEqual(Object.keys(rt), [
        "rssBytes",
        "heapUsedBytes",
        "heapTotalBytes",
        "externalBytes",
        "cpuUserPercent",
        "cpuSystemPercent",
        "eventLoopDelayMs",
        "eventLoopUtilization"
      ])
      for (const k of ["rssBytes", "heapUsedBytes", "heapTotalBytes", "externalBytes"]) {
        assert.isTrue(Number.isInteger(rt[k]) && (rt[k] as number) > 0, k)
      }
      assert.isTrue((rt.heapUsedBytes as number) <= (rt.heapTotalBytes as number))
      assert.isTrue((rt.rssBytes as number) > 1024 * 1024)
      for (const k of ["cpuUserPercent", "cpuSystemPercent"]) {
        const v = rt[k] as number
        assert.isTrue(Number.isFinite(v) && v >= 0, k)
        assert.strictEqual(v, Math.round(v * 10) / 10, `${k} has one decimal`)
      }
      const delay = rt.eventLoopDelayMs as Record<string, number>
      assert.deepStrictEqual(Object.keys(delay), ["mean", "p99", "max"])
      for (const v of Object.values(delay)) {
        assert.isTrue(Number.isFinite(v) && v >= 0 && v < 1000)
        assert.strictEqual(v, Math.round(v * 100) / 100)
      }
      assert.isTrue(delay.mean! <= delay.max!)
      const elu = rt.eventLoopUtilization as number
      assert.isTrue(elu >= 0 && elu <= 1)
      assert.strictEqual(sampler.current(), sample)
      assert.isTrue(Object.isFrozen(sample) && Object.isFrozen(rt))
    } finally {
      sampler.stop()
    }
  })

  it("measures CPU spent since the previous sample", () => {
    const sampler = new RuntimeSampler({ intervalMs: 60_000 })
    sampler.sampleNow()
    burnCpu(50)
    const rt = sampler.sampleNow().runtime as Record<string, number>
    assert.isTrue(rt.cpuUserPercent! > 0, `cpuUserPercent ${rt.cpuUserPercent}`)
  })

  it("reports no CPU percent over zero elapsed time instead of dividing by zero", () => {
    const sampler = new RuntimeSampler({ intervalMs: 1000 }, () => 0)
    burnCpu(5)
    const rt = sampler.sampleNow().runtime as Record<string, number>
    assert.strictEqual(rt.cpuUserPercent, 0)
    assert.strictEqual(rt.cpuSystemPercent, 0)
  })

  it("leaves out the event-loop delay when nothing was measured", () => {
    const rt = new RuntimeSampler({ intervalMs: 1000 }).sampleNow().runtime as Record<string, unknown>
    assert.isFalse("eventLoopDelayMs" in rt)
  })

  it("samples on its own every interval, and keeps the last sample after stop", async () => {
    const sampler = new RuntimeSampler({ intervalMs: RUNTIME_INTERVAL_MIN_MS })
    sampler.start()
    await sleep(RUNTIME_INTERVAL_MIN_MS * 2.5)
    sampler.stop()
    const last = sampler.current()
    assert.isDefined(last)
    await sleep(RUNTIME_INTERVAL_MIN_MS * 1.5)
    assert.strictEqual(sampler.current(), last)
  })

  it("reports a failing timed sample instead of throwing from the timer", async () => {
    const errors: Array<unknown> = []
    class Failing extends RuntimeSampler {
      override sampleNow(): never {
        throw new Error("no memory figures")
      }
    }
    const sampler = new Failing({ intervalMs: RUNTIME_INTERVAL_MIN_MS, onError: (e) => errors.push(e) })
    sampler.start()
    await sleep(RUNTIME_INTERVAL_MIN_MS * 1.5)
    sampler.stop()
    assert.isTrue(errors.length >= 1)
    assert.strictEqual((errors[0] as Error).message, "no memory figures")
    assert.isUndefined(sampler.current())
  })
})

const named = (name: string, enrich: Enricher) => ({ name, enrich })

describe("runEnrichers", () => {
  it("merges results in order, later enrichers winning", () => {
    const r = record()
    runEnrichers(
      [r],
      [named("a", () => ({ region: "eu-1", zone: "a" })), named("b", () => ({ zone: "b", rack: 7 }))],
      () => assert.fail("no error expected")
    )
    assert.deepStrictEqual({ ...r.extra }, { region: "eu-1", zone: "b", rack: 7 })
  })

  it("passes the event's core values and runs per record", () => {
    const seen: Array<EnricherInput> = []
    const a = record("plain")
    const b = record(["two", 2])
    runEnrichers([a, b], [named("spy", (e) => void seen.push(e))], () => {})
    assert.deepStrictEqual(seen, [
      { level: "warn", message: "plain", logger: "app", time: T },
      { level: "warn", message: "two 2", logger: "app", time: T }
    ])
  })

  it("allocates nothing when every enricher returns undefined, and borrows a single result", () => {
    const shared = { region: "eu-1" }
    const none = record()
    runEnrichers([none], [named("a", () => undefined), named("b", () => undefined)], () => {})
    assert.isUndefined(none.extra)
    const one = record()
    runEnrichers([one], [named("a", () => undefined), named("b", () => shared)], () => {})
    assert.strictEqual(one.extra, shared)
  })

  it("never mutates an enricher's result when merging", () => {
    const shared = Object.freeze({ region: "eu-1" })
    const r = record()
    runEnrichers([r], [named("a", () => shared), named("b", () => ({ region: "us-2" }))], () => {})
    assert.deepStrictEqual(shared, { region: "eu-1" })
    assert.strictEqual(r.extra?.region, "us-2")
  })

  it("skips and reports a throwing enricher, keeping the event and the others' fields", () => {
    const errors: Array<[string, unknown]> = []
    const boom = new Error("boom")
    const r = record()
    runEnrichers(
      [r],
      [
        named("before", () => ({ a: 1 })),
        named("broken", () => {
          throw boom
        }),
        named("after", () => ({ b: 2 }))
      ],
      (name, e) => errors.push([name, e])
    )
    assert.deepStrictEqual(errors, [["broken", boom]])
    assert.deepStrictEqual({ ...r.extra }, { a: 1, b: 2 })
  })

  it("reports a result whose keys cannot be listed", () => {
    const errors: Array<string> = []
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("no keys")
        }
      }
    )
    const r = record()
    runEnrichers(
      [r],
      [named("ok", () => ({ a: 1 })), named("hostile", () => hostile)],
      (name) => void errors.push(name)
    )
    assert.deepStrictEqual(errors, ["hostile"])
    assert.deepStrictEqual({ ...r.extra }, { a: 1 })
  })

  it("writes a throwing getter as a note without reporting the enricher", () => {
    const r = record()
    const result = {
      get boom(): never {
        throw new Error("getter")
      }
    }
    runEnrichers([r], [named("a", () => ({ a: 1 })), named("b", () => result)], () =>
      assert.fail("no error expected")
    )
    assert.strictEqual(
      formatJsonLine(r),
      '{"timestamp":"2026-01-02T03:04:05.006Z","level":"warn","logger":"app","message":"msg","a":1,"boom":"[Threw: getter]"}'
    )
  })

  it("ignores results that are not plain objects", () => {
    const odd: ReadonlyArray<unknown> = [null, 42, "x", true, [1, 2], () => ({ a: 1 }), Symbol("s")]
    const r = record()
    runEnrichers(
      [r],
      odd.map((v, i) => named(`odd${i}`, () => v as Record<string, unknown>)),
      () => assert.fail("no error expected")
    )
    assert.isUndefined(r.extra)
  })

  it("keeps an undefined value so it hides the key from lower sources", () => {
    const r = record()
    r.enrichment = Bindings.extend(undefined, { hostname: "web-1", pid: 1 })
    runEnrichers(
      [r],
      [named("a", () => ({ region: "eu-1" })), named("b", () => ({ hostname: undefined }))],
      () => {}
    )
    assert.strictEqual(
      formatJsonLine(r),
      '{"timestamp":"2026-01-02T03:04:05.006Z","level":"warn","logger":"app","message":"msg","pid":1,"region":"eu-1"}'
    )
  })

  it("keeps a __proto__ key as an ordinary field when merging", () => {
    const r = record()
    runEnrichers(
      [r],
      [named("a", () => ({ a: 1 })), named("b", () => JSON.parse('{"__proto__":{"x":1}}'))],
      () => {}
    )
    assert.isTrue(Object.hasOwn(r.extra!, "__proto__"))
    assert.deepStrictEqual(Object.keys(r.extra!), ["a", "__proto__"])
  })

  it("leaves the record's other fields alone, and its fields outrank the enrichers'", () => {
    const r = record("order placed", { orderId: "o-42", region: "call" }, { region: "bound", user: 7 })
    r.enrichment = Bindings.extend(undefined, { service: "checkout", region: "static", user: 0 })
    const fields = r.fields
    const bindings = r.bindings
    runEnrichers([r], [named("region", () => ({ region: "enricher", zone: "z1" }))], () => {})
    assert.strictEqual(r.fields, fields)
    assert.strictEqual(r.bindings, bindings)
    assert.strictEqual(r.message, "order placed")
    assert.deepStrictEqual(r.fields, { orderId: "o-42", region: "call" })
    assert.strictEqual(
      formatJsonLine(r),
      '{"timestamp":"2026-01-02T03:04:05.006Z","level":"warn","logger":"app","message":"order placed",' +
        '"service":"checkout","zone":"z1","user":7,"orderId":"o-42","region":"call"}'
    )
  })

  it("does nothing without enrichers", () => {
    const r = record()
    const extra = { kept: true }
    r.extra = extra
    runEnrichers([r], [], () => {})
    assert.strictEqual(r.extra, extra)
  })
})

describe("runCallSiteEnrichers", () => {
  const run = (enrich: () => Record<string, unknown> | undefined) => {
    const e = running({ name: "e", enrich })
    return () => {
      const r = recordOf(L.INFO, "m")
      runCallSiteEnrichers(r, [e], undefined, defaultLimits, () => {})
      return r.callSite
    }
  }

  it("shares a frozen result of primitives (the constant a mixin usually returns) instead of copying it", () => {
    const constant = Object.freeze({ region: "eu-1", n: 1 })
    const call = run(() => constant)
    assert.strictEqual(call(), constant)
    assert.strictEqual(call(), constant)
  })

  it("copies anything that could change: an unfrozen object, nested objects, getters on a frozen one", () => {
    let n = 0
    const withGetter = Object.freeze(
      Object.defineProperty({}, "n", {
        enumerable: true,
        get: () => n
      })
    )
    const nested = Object.freeze({ inner: { n: 0 } })
    const mutable = { n: 0 }
    for (const [result, change] of [
      [withGetter, () => n++],
      [nested, () => nested.inner.n++],
      [mutable, () => mutable.n++]
    ] as const) {
      const call = run(() => result)
      const first = call()
      change()
      assert.notStrictEqual(first, result)
      assert.strictEqual(JSON.stringify(first).includes('"n":0'), true)
    }
  })
})
