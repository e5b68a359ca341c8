import * as net from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope } from "effect"
import { createLogger, Errors, Metrics } from "fapilog"
import { answerScrape } from "../../src/internal/metricsServer.js"
import { parseExposition, sampleValue } from "../support/exposition.js"

const rejection = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error("expected a rejection")
}

describe("Metrics.serve", () => {
  it("answers GET and HEAD on its path with the exposition, anything else with 404 or 405", async () => {
    const log = await createLogger({ name: "served", metrics: true, sinks: ["null"] })
    log.info("one")
    log.info("two")
    await log.flush()
    await using server = await Metrics.serve({ port: 0, host: "127.0.0.1" })
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const res = await fetch(server.url)
    assert.strictEqual(res.status, 200)
    assert.strictEqual(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8")
    const body = await res.text()
    assert.strictEqual(
      sampleValue(parseExposition(body), "fapilog_events_total", { pipeline: "served", level: "info" }),
      2
    )
    assert.strictEqual(res.headers.get("content-length"), String(Buffer.byteLength(body)))
    // a query string is not part of the path
    assert.strictEqual((await fetch(`${server.url}?x=1`)).status, 200)
    const head = await fetch(server.url, { method: "HEAD" })
    assert.strictEqual(head.status, 200)
    assert.strictEqual(await head.text(), "")
    const post = await fetch(server.url, { method: "POST" })
    assert.strictEqual(post.status, 405)
    assert.strictEqual(post.headers.get("allow"), "GET, HEAD")
    assert.strictEqual((await fetch(server.url.replace("/metrics", "/other"))).status, 404)
    await log.close()
  })

  it("serves another path when asked", async () => {
    const server = await Metrics.serve({ port: 0, host: "127.0.0.1", path: "/-/prometheus" })
    assert.isTrue(server.url.endsWith("/-/prometheus"))
    assert.strictEqual((await fetch(server.url)).status, 200)
    assert.strictEqual((await fetch(server.url.replace("/-/prometheus", "/metrics"))).status, 404)
    await server.close()
    // closing twice is harmless
    await server.close()
    await rejection(fetch(server.url))
  })

  it("rejects bad options with a ConfigError naming each one", async () => {
    const e = await rejection(Metrics.serve({ port: 70_000, host: "", path: "metrics" }))
    assert.instanceOf(e, Errors.ConfigError)
    assert.deepStrictEqual(
      (e as Errors.ConfigError).issues.map((i) => i.path),
      ["Metrics.serve.port", "Metrics.serve.host", "Metrics.serve.path"]
    )
    const missing = await rejection(Metrics.serve(undefined as never))
    assert.deepStrictEqual(
      (missing as Errors.ConfigError).issues.map((i) => i.path),
      ["Metrics.serve.port"]
    )
  })

  it("rejects with a ServeError when the port is taken", async () => {
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    const port = (taken.address() as net.AddressInfo).port
    const e = await rejection(Metrics.serve({ port, host: "127.0.0.1" }))
    assert.instanceOf(e, Errors.ServeError)
    assert.strictEqual((e as Errors.ServeError).address, `127.0.0.1:${port}`)
    assert.include((e as Errors.ServeError).message, "EADDRINUSE")
    await new Promise((resolve) => taken.close(resolve))
  })
})

describe("Metrics.serveScoped and Metrics.layer", () => {
  it.live("listen while their Scope is open and close with it", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const server = yield* Scope.extend(Metrics.serveScoped({ port: 0, host: "127.0.0.1" }), scope)
      assert.strictEqual((yield* Effect.promise(() => fetch(server.url))).status, 200)
      yield* Scope.close(scope, Exit.void)
      const after = yield* Effect.promise(() =>
        fetch(server.url).then(
          () => "open",
          () => "closed"
        )
      )
      assert.strictEqual(after, "closed")
    })
  )

  it.live("fails with the ServeError or ConfigError in the error channel", () =>
    Effect.gen(function* () {
      const bad = yield* Effect.flip(Layer.launch(Metrics.layer({ port: -1 })))
      assert.strictEqual(bad._tag, "ConfigError")
    })
  )
})

describe("answerScrape", () => {
  it("answers every method but GET and HEAD with 405", () => {
    for (const method of ["POST", "PUT", "DELETE", undefined])
      assert.strictEqual(answerScrape(method).status, 405)
    assert.strictEqual(answerScrape("GET").status, 200)
  })
})
