import { assert, describe, it } from "@effect/vitest"
import { prettyFactory } from "pino-pretty"
import { defaultLimits } from "../../src/internal/json.js"
import {
  ecsVersion,
  makeEcs,
  makeOtel,
  makePino,
  otelSeverity,
  pinoLevels
} from "../../src/internal/layouts.js"
import * as L from "../../src/internal/level.js"
import { makeLogfmt } from "../../src/internal/logfmt.js"
import { formatJsonLine, materialize, recordOf } from "../../src/internal/record.js"
import type { LogEvent } from "../../src/LogEvent.js"
import { sampleEvent as event } from "../support/events.js"
import { isValidUtf8Text, wellFormed } from "../support/text.js"

const ecs = makeEcs().format
const otel = makeOtel().format
const pino = makePino().format

const parse = (line: string): Record<string, unknown> => {
  assert.notMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, "one line, control characters escaped")
  assert.isTrue(isValidUtf8Text(line), "valid UTF-8: no lone surrogate")
  const value: unknown = JSON.parse(line)
  assert.isObject(value)
  return value as Record<string, unknown>
}

const rich = event({
  level: "error",
  logger: "checkout",
  message: "payment failed",
  correlationId: "c-91",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  spans: { charge: 12 },
  fields: {
    service: "shop",
    env: "prod",
    version: "1.2.3",
    hostname: "web-1",
    pid: 4242,
    orderId: "o-42",
    cart: { items: 2 }
  },
  error: {
    type: "CardError",
    message: "declined",
    code: "E_CARD",
    stack: "CardError: declined\n    at charge (pay.ts:1:1)",
    cause: { type: "HttpError", message: "502", stack: "HttpError: 502\n    at fetch (http.ts:2:2)" },
    details: { status: 402 }
  }
})

const hostileText = 'a\nb\r\tc \u001b[31m\u2028\u2029\u0085 \ud800 "q" \\'
/** What a reader gets back: the lone surrogate is written as U+FFFD. */
const hostileRead = wellFormed(hostileText)

const hostile = event({
  message: hostileText,
  logger: hostileText,
  correlationId: hostileText,
  fields: { [hostileText]: hostileText, nested: { [hostileText]: [hostileText] } },
  error: { type: hostileText, message: hostileText, stack: hostileText }
})

describe("ECS layout", () => {
  it("writes the ecs-logging keys, in the recommended order", () => {
    const o = parse(ecs(rich))
    assert.deepStrictEqual(Object.keys(o).slice(0, 4), ["@timestamp", "log.level", "message", "ecs.version"])
    assert.deepInclude(o, {
      "@timestamp": "2026-01-02T03:04:05.006Z",
      "log.level": "error",
      message: "payment failed",
      "ecs.version": ecsVersion,
      "log.logger": "checkout",
      "service.name": "shop",
      "service.version": "1.2.3",
      "service.environment": "prod",
      "event.dataset": "shop",
      "host.hostname": "web-1",
      "process.pid": 4242,
      "trace.id": "4bf92f3577b34da6a3ce929d0e0e4736",
      "span.id": "00f067aa0ba902b7",
      "labels.correlation_id": "c-91",
      orderId: "o-42",
      "error.type": "CardError",
      "error.message": "declined",
      "error.code": "E_CARD"
    })
    assert.deepStrictEqual(o.cart, { items: 2 })
    assert.deepStrictEqual(o.spans, { charge: 12 })
    assert.deepStrictEqual(o["error.details"], { status: 402 })
    assert.strictEqual(
      o["error.stack_trace"],
      "CardError: declined\n    at charge (pay.ts:1:1)\nCaused by: HttpError: 502\n    at fetch (http.ts:2:2)"
    )
    for (const k of ["service", "env", "version", "hostname", "pid"]) assert.notProperty(o, k)
    assert.strictEqual(ecsVersion, "8.11.0")
  })

  it("keeps each fapilog level name in log.level", () => {
    for (const level of L.levelNames) assert.strictEqual(parse(ecs(event({ level })))["log.level"], level)
  })

  it("moves user keys that would clash with ECS or core keys under fields", () => {
    const o = parse(
      ecs(
        event({
          fields: {
            message: "m",
            "log.level": "x",
            error: "str",
            host: "h",
            level: 1,
            service: { n: 1 },
            ok: 1
          }
        })
      )
    )
    assert.strictEqual(o.message, "hello")
    assert.strictEqual(o.ok, 1)
    assert.deepStrictEqual(o.fields, {
      message: "m",
      "log.level": "x",
      error: "str",
      host: "h",
      level: 1,
      service: { n: 1 }
    })
    assert.notProperty(o, "service.name")
  })

  it("stays one line of valid JSON for hostile input", () => {
    const o = parse(ecs(hostile))
    assert.strictEqual(o.message, hostileRead)
    assert.strictEqual(o["error.stack_trace"], hostileRead)
    assert.strictEqual(o[hostileRead], hostileRead)
  })
})

describe("OpenTelemetry layout", () => {
  it("writes the log data model fields", () => {
    const o = parse(otel(rich))
    assert.deepInclude(o, {
      Timestamp: `${Date.UTC(2026, 0, 2, 3, 4, 5, 6)}000000`,
      SeverityText: "error",
      SeverityNumber: 17,
      Body: "payment failed",
      TraceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      SpanId: "00f067aa0ba902b7"
    })
    assert.deepStrictEqual(o.Resource, {
      "service.name": "shop",
      "service.version": "1.2.3",
      "deployment.environment.name": "prod",
      "host.name": "web-1",
      "process.pid": 4242
    })
    assert.deepStrictEqual(o.InstrumentationScope, { Name: "checkout" })
    const attributes = o.Attributes as Record<string, unknown>
    assert.notProperty(attributes, "logger.name")
    assert.deepInclude(attributes, {
      "correlation.id": "c-91",
      orderId: "o-42",
      "exception.type": "CardError",
      "exception.message": "declined",
      "exception.code": "E_CARD"
    })
    assert.include(attributes["exception.stacktrace"] as string, "Caused by: HttpError: 502")
    assert.deepStrictEqual(attributes.cart, { items: 2 })
    for (const k of ["service", "env", "version", "hostname", "pid"]) assert.notProperty(attributes, k)
  })

  it("maps every level to a severity number", () => {
    const expected = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21, audit: 12, security: 20 }
    assert.deepStrictEqual(otelSeverity, expected)
    for (const level of L.levelNames) {
      const o = parse(otel(event({ level })))
      assert.strictEqual(o.SeverityNumber, expected[level])
      assert.strictEqual(o.SeverityText, level)
    }
  })

  it("leaves Resource out when no enricher field is present and routes clashes to Attributes.fields", () => {
    const o = parse(
      otel(event({ fields: { "exception.type": "spoof", logger: "x", level: 1, pid: "not a number" } }))
    )
    assert.notProperty(o, "Resource")
    const attributes = o.Attributes as Record<string, unknown>
    assert.deepStrictEqual(attributes.fields, { "exception.type": "spoof", logger: "x", level: 1 })
    assert.strictEqual(attributes.pid, "not a number")
  })

  it("stays one line of valid JSON for hostile input", () => {
    const o = parse(otel(hostile))
    assert.strictEqual(o.Body, hostileRead)
    assert.deepStrictEqual(o.InstrumentationScope, { Name: hostileRead })
  })
})

describe("pino layout", () => {
  it("writes pino's keys with msg last", () => {
    const o = parse(pino(rich))
    assert.deepStrictEqual(Object.keys(o).slice(0, 5), ["level", "time", "pid", "hostname", "name"])
    assert.strictEqual(Object.keys(o).at(-1), "msg")
    assert.deepInclude(o, {
      level: 50,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      pid: 4242,
      hostname: "web-1",
      name: "checkout",
      msg: "payment failed",
      correlationId: "c-91",
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      span_id: "00f067aa0ba902b7",
      service: "shop",
      env: "prod",
      version: "1.2.3",
      orderId: "o-42"
    })
    assert.deepStrictEqual(o.err, {
      type: "CardError",
      message: "declined",
      stack: "CardError: declined\n    at charge (pay.ts:1:1)",
      code: "E_CARD",
      status: 402,
      cause: { type: "HttpError", message: "502", stack: "HttpError: 502\n    at fetch (http.ts:2:2)" }
    })
  })

  it("maps levels to pino numbers", () => {
    assert.deepStrictEqual(pinoLevels, {
      trace: 10,
      debug: 20,
      info: 30,
      warn: 40,
      error: 50,
      fatal: 60,
      audit: 70,
      security: 80
    })
    for (const level of L.levelNames)
      assert.strictEqual(parse(pino(event({ level }))).level, pinoLevels[level])
  })

  it("moves user keys named like pino's or fapilog's keys under fields", () => {
    const o = parse(pino(event({ fields: { msg: "m", name: "n", time: 1, err: "e", level: "x", ok: true } })))
    assert.deepStrictEqual(o.fields, { msg: "m", name: "n", time: 1, err: "e", level: "x" })
    assert.strictEqual(o.msg, "hello")
    assert.strictEqual(o.name, "app")
    assert.strictEqual(o.ok, true)
  })

  it("is read by pino-pretty: message, level label and fields", () => {
    const prettify = prettyFactory({ colorize: false })
    const out = prettify(pino(rich))
    assert.include(out, "ERROR")
    assert.include(out, "(checkout/4242")
    assert.include(out, "payment failed")
    assert.include(out, 'orderId: "o-42"')
    assert.include(out, '"message": "declined"')
    assert.include(out, "at charge (pay.ts:1:1)")
    for (const [level, label] of [
      ["trace", "TRACE"],
      ["debug", "DEBUG"],
      ["info", "INFO"],
      ["warn", "WARN"],
      ["fatal", "FATAL"]
    ] as const) {
      assert.include(prettify(pino(event({ level, message: `at ${level}` }))), `${label} (app): at ${level}`)
    }
  })

  it("shows audit and security by name when pino-pretty is given the custom levels", () => {
    assert.include(
      prettyFactory({ colorize: false })(pino(event({ level: "audit" }))),
      "USERLVL (app): hello"
    )
    // as docs/formatters.md gives it: without useOnlyCustomProps false, pino-pretty 13 forgets its own levels
    const prettify = prettyFactory({
      colorize: false,
      customLevels: "audit:70,security:80",
      useOnlyCustomProps: false
    })
    assert.include(prettify(pino(event({ level: "audit" }))), "AUDIT (app): hello")
    assert.include(prettify(pino(event({ level: "security" }))), "SECURITY (app): hello")
    assert.include(prettify(pino(event({ level: "info" }))), "INFO (app): hello")
  })

  it("stays one line of valid JSON for hostile input", () => {
    const o = parse(pino(hostile))
    assert.strictEqual(o.msg, hostileRead)
    assert.strictEqual((o.err as Record<string, unknown>).stack, hostileRead)
  })
})

describe("layouts", () => {
  it("write every lone surrogate as U+FFFD, in values and keys, so each line is valid UTF-8", () => {
    const lone = "x\ud800y\udc00 😀"
    const r = recordOf(L.ERROR, lone, {
      logger: lone,
      fields: { [lone]: lone, nested: { [lone]: [lone] } },
      bindings: { bound: lone },
      error: Object.assign(new Error(lone), { code: lone })
    })
    const read = wellFormed(lone)
    assert.strictEqual(read, "x\ufffdy\ufffd 😀")
    const lines = [formatJsonLine(r), ...[ecs, otel, pino].map((f) => f(materialize(r)))]
    for (const line of lines) {
      // parse() checks the line is valid UTF-8
      const text = JSON.stringify(parse(line))
      assert.notMatch(text, /\\ud[89a-f]/, line)
      assert.include(text, read)
    }
  })

  it("agree on the type of an Error subclass that does not set name: its class name", () => {
    class ValidationError extends Error {}
    const r = recordOf(L.ERROR, "invalid", { error: new ValidationError("bad id") })
    const e = materialize(r)
    assert.strictEqual((parse(formatJsonLine(r)).error as Record<string, unknown>).type, "ValidationError")
    assert.strictEqual(parse(ecs(e))["error.type"], "ValidationError")
    assert.strictEqual(
      (parse(otel(e)).Attributes as Record<string, unknown>)["exception.type"],
      "ValidationError"
    )
    assert.strictEqual((parse(pino(e)).err as Record<string, unknown>).type, "ValidationError")
    assert.include(makeLogfmt().format(e), " error.type=ValidationError ")
  })

  it("format events materialized from records, within the limits", () => {
    const r = recordOf(L.AUDIT, "x".repeat(40), {
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      logger: "audit",
      fields: { deep: { a: { b: { c: 1 } } }, actor: "ada" }
    })
    const limits = { ...defaultLimits, maxDepth: 2, maxStringLength: 10 }
    const e = materialize(r)
    const ecsLine = parse(makeEcs(limits).format(e))
    assert.strictEqual(ecsLine.message, `${"x".repeat(10)}…[truncated 30 chars]`)
    assert.deepStrictEqual(ecsLine.deep, { a: { b: "[Object]" } })
    assert.strictEqual(ecsLine.actor, "ada")
    assert.strictEqual(parse(makeOtel(limits).format(e)).SeverityNumber, 12)
    assert.strictEqual(parse(makePino(limits).format(e)).level, 70)
  })

  it("never throw: a field whose keys cannot be listed still gives a valid line", () => {
    const hostileProxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no")
        }
      }
    )
    for (const format of [ecs, otel, pino]) parse(format(event({ fields: { p: hostileProxy } })))
    const broken = { ...event(), fields: hostileProxy } as LogEvent
    for (const format of [ecs, otel, pino]) {
      const o = parse(format(broken))
      assert.include(JSON.stringify(o), "[fapilog: event could not be formatted]")
    }
  })
})
