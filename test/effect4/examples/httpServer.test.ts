/**
 * The Effect 4 HTTP example (examples/effect4-http-server.ts) on a real Node server
 * (`NodeHttpServer` of `@effect/platform-node` 4) on a free port, with the fapilog layer and a
 * memory sink in place of stdout, driven with fetch: correlation ids in and out, the access
 * and error lines, and the level endpoint changing what the running server logs.
 */
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { HttpServer } from "effect/http"
import { serve } from "../../../examples/effect4-http-server.js"
import { Fapilog, Sink } from "../../../src/effect4/index.js"

const TOKEN = "example-token-0123456789"

describe("examples/effect4-http-server.ts", () => {
  it.live("serves on Node with the middleware: ids, access and error lines, the level endpoint", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const { result: responses, base } = yield* Effect.scoped(
        Effect.gen(function* () {
          const services = yield* Layer.build(
            serve(TOKEN).pipe(
              Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 })),
              Layer.provide(Fapilog.layer({ sinks: [memory] }))
            )
          )
          const address = Context.get(services, HttpServer.HttpServer).address
          const base = `http://127.0.0.1:${new URL(HttpServer.formatAddress(address)).port}`
          const call = (path: string, init?: RequestInit) =>
            Effect.promise(async () => {
              const response = await fetch(`${base}${path}`, init)
              return {
                status: response.status,
                id: response.headers.get("x-request-id"),
                body: await response.text()
              }
            })
          const setLevel = (token: string, id: string) =>
            call("/-/log-level", {
              method: "POST",
              headers: {
                authorization: `Bearer ${token}`,
                "content-type": "application/json",
                "x-request-id": id
              },
              body: '{"level":"warn"}'
            })
          const result = [
            yield* call("/hello?q=hi", { headers: { "x-request-id": "r-hello" } }),
            yield* call("/health", { headers: { "x-request-id": "r-health" } }),
            yield* call("/boom", { headers: { "x-request-id": "r-boom" } }),
            yield* call("/nowhere", { headers: { "x-request-id": "r-404" } }),
            yield* setLevel("not-the-token-0123456789", "r-refused"),
            yield* setLevel(TOKEN, "r-level"),
            yield* call("/hello?q=quiet", { headers: { "x-request-id": "r-quiet" } })
          ]
          return { result, base }
        })
      )
      assert.deepStrictEqual(
        responses.map((r) => [r.status, r.id]),
        [
          [200, "r-hello"],
          [200, "r-health"],
          [500, "r-boom"],
          [404, "r-404"],
          [401, "r-refused"],
          [200, "r-level"],
          [200, "r-quiet"]
        ]
      )
      assert.strictEqual(responses[0]?.body, "hello hi\n")
      assert.strictEqual(responses[6]?.body, "hello quiet\n")

      const events = memory.events()
      assert.deepStrictEqual(
        events.map((e) => [e.level, e.message, e.correlationId]),
        [
          ["info", `Listening on http://[::]:${new URL(base).port}`, undefined],
          ["info", "hello requested", "r-hello"],
          ["info", "hello answered later", "r-hello"],
          ["info", "request completed", "r-hello"],
          // /health has no access line
          ["error", "request failed", "r-boom"],
          ["error", "request completed", "r-boom"],
          ["warn", "request completed", "r-404"],
          ["security", "log level change refused", "r-refused"],
          ["warn", "request completed", "r-refused"],
          ["audit", "log level changed", "r-level"]
          // at warn now: r-level's access line and everything about r-quiet are below it
        ]
      )
      assert.deepStrictEqual(events[1]?.fields, { q: "hi" })
      assert.deepStrictEqual(events[2]?.fields, { q: "hi" })
      assert.deepInclude(events[3]?.fields.http, {
        method: "GET",
        path: "/hello",
        status: 200,
        responseBytes: 9
      })
      assert.deepStrictEqual(
        [events[4]?.error?.type, events[4]?.error?.message],
        ["RangeError", "the example's failing route"]
      )
      assert.deepInclude(events[8]?.fields.http, { method: "POST", path: "/-/log-level", status: 401 })
      assert.deepInclude(events[9]?.fields, { from: "info", to: "warn" })
    })
  )
})
