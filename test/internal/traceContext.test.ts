/**
 * The OpenTelemetry context reader (src/internal/traceContext.ts): absent or foreign modules
 * give no reader, a broken API never fails a log call; and the Promise side's correlation on
 * the Effect 3 line, with the Node SDK (test/support/traceCorrelation.ts).
 */

import { assert, describe, it } from "@effect/vitest"
import * as api from "@opentelemetry/api"
import { resolveTraceContext, traceContext } from "../../src/internal/traceContext.js"
import { traceCorrelationSuite } from "../support/traceCorrelation.js"

const parent = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true }

describe("resolveTraceContext", () => {
  it("gives nothing when the package cannot be loaded", async () => {
    const missing = Object.assign(new Error("Cannot find module '@opentelemetry/api'"), {
      code: "ERR_MODULE_NOT_FOUND"
    })
    assert.isUndefined(await resolveTraceContext(() => Promise.reject(missing)))
    assert.isUndefined(
      await resolveTraceContext(() => {
        throw missing
      })
    )
  })

  it("gives nothing for a module that is not the API", async () => {
    for (const module of [undefined, null, 42, {}, { trace: {}, context: {} }, { default: { trace: 1 } }])
      assert.isUndefined(await resolveTraceContext(() => Promise.resolve(module)), JSON.stringify(module))
  })

  it("reads the API as an ES namespace or through a CommonJS default export", async () => {
    assert.isDefined(await resolveTraceContext(() => Promise.resolve(api)))
    assert.isDefined(await resolveTraceContext(() => Promise.resolve({ default: api })))
  })

  it("the package's loader finds the installed API, once per process", async () => {
    const first = traceContext()
    assert.strictEqual(traceContext(), first)
    assert.isDefined(await first)
  })

  it("without a context manager: no active ids, and the remote parent does not take effect", async () => {
    const reader = await resolveTraceContext(() => Promise.resolve(api))
    assert.isUndefined(reader?.activeIds())
    let ran: boolean | undefined
    reader?.withRemoteParent(parent, (inEffect) => {
      ran = inEffect
    })
    assert.strictEqual(ran, false)
  })

  it("a throwing span or a throwing API never fails the caller", async () => {
    const broken = {
      trace: {
        getActiveSpan: () => ({
          spanContext: () => {
            throw new Error("broken span")
          }
        }),
        isSpanContextValid: () => true,
        setSpanContext: () => {
          throw new Error("broken context")
        }
      },
      context: { active: () => ({}), with: <R>(_: unknown, fn: () => R): R => fn() }
    }
    const reader = await resolveTraceContext(() => Promise.resolve(broken))
    assert.isUndefined(reader?.activeIds())
    let ran: boolean | undefined
    reader?.withRemoteParent(parent, (inEffect) => {
      ran = inEffect
    })
    assert.strictEqual(ran, false)
  })
})

traceCorrelationSuite("Effect 3")
