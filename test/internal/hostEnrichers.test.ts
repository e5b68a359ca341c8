import * as os from "node:os"
import { assert, describe, it } from "@effect/vitest"
import { RUNTIME_INTERVAL_MIN_MS, RuntimeSampler, staticFields } from "../../src/internal/hostEnrichers.js"

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
