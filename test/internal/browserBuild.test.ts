import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { ConfigError } from "../../src/Errors.js"
import { build, validate } from "../../src/internal/browserBuild.js"
import { memory } from "../../src/internal/sink.js"

const messages = (input: unknown): Array<string> =>
  validate(input).issues.map((i) => `${i.path}: ${i.message}`)

describe("browser settings", () => {
  it("default to a console sink at info", () => {
    const { valid, issues } = validate(undefined)
    assert.deepStrictEqual(issues, [])
    assert.deepStrictEqual(valid.sinks, ["console"])
    assert.strictEqual(valid.level, "info")
    assert.isTrue(valid.flushOnHide)
  })

  it("refuse Node's sinks, naming the field and the sinks the browser build accepts", () => {
    const [file, stdout] = messages({ sinks: [{ type: "file", path: "a.log" }, "stdout"] })
    assert.match(file ?? "", /^sinks\[0\]\.type: "file" is not available in the browser build/)
    assert.include(file, '"console", "null", { type: "console" }, { type: "http", url }, or a Sink value')
    assert.match(stdout ?? "", /^sinks\[1\]: "stdout" is not available in the browser build/)
  })

  it("refuse settings the browser build has no say over, and bad values, each with its path", () => {
    assert.deepStrictEqual(
      messages({ configFile: "x.yaml", level: "loud", capacity: 0, flushOnHide: "yes" }),
      [
        "configFile: is not a setting of the browser build of fapilog; it accepts name, level, sinks, capacity, flushOnHide, shutdownTimeoutMs",
        'level: "loud" is not one of trace, debug, info, warn, error, fatal, audit, security',
        "capacity: 0 is not a whole number above 0",
        'flushOnHide: "yes" is not true or false'
      ]
    )
  })

  it("check an http entry's url and options", () => {
    assert.deepStrictEqual(
      messages({ sinks: [{ type: "http", url: "ftp://x", batch: { maxEvents: -1, size: 2 }, spool: {} }] }),
      [
        "sinks[0].spool: is not an option of a http sink; it accepts type, url, level, headers, keepalive, batch, retry, timeoutMs",
        'sinks[0].url: "ftp://x" is not an http: or https: URL',
        "sinks[0].batch.maxEvents: -1 is not a whole number",
        "sinks[0].batch.size: is not one of maxEvents, maxBytes, maxWaitMs"
      ]
    )
    assert.deepStrictEqual(messages({ sinks: [{ type: "http" }] }), [
      "sinks[0].url: is required: the collector's http: or https: URL"
    ])
    assert.deepStrictEqual(
      messages({ sinks: [{ type: "http", url: "https://logs.example.com/in", keepalive: false }] }),
      []
    )
  })

  it.scoped("build fails with a ConfigError holding every issue", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(build({ sinks: ["file"], level: 3 }))
      assert.instanceOf(error, ConfigError)
      assert.deepStrictEqual(
        (error as ConfigError).issues.map((i) => i.path),
        ["level", "sinks[0]"]
      )
    })
  )

  it.scoped("build opens a pipeline over the given sinks", () =>
    Effect.gen(function* () {
      const sink = memory()
      const { pipeline } = yield* build({ name: "web", level: "debug", sinks: [sink], flushOnHide: false })
      assert.strictEqual(pipeline.name, "web")
      yield* pipeline.flush
      assert.deepStrictEqual(sink.events(), [])
    })
  )
})
