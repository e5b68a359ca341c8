/**
 * fapilog's self-metrics as a real Prometheus sees them: Debian's `prometheus` (started here,
 * with a config written here: scrape interval 1 s, a free port, its storage in a temporary
 * directory) scrapes `/metrics` of an @effect/platform-node server with the `fapilog/http`
 * middleware; the app logs a known number of events by level before the first scrape, and
 * Prometheus's HTTP API must then return exactly those counts.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createServer } from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Fapilog } from "fapilog"
import * as Http from "fapilog/http"
import { freePort } from "../internal/networkServer.js"

/** Prometheus scraping `target` every second, until the scope closes (SIGTERM, then its exit). */
const prometheus = (target: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-prometheus-"))
      const port = await freePort()
      const config = path.join(dir, "prometheus.yml")
      fs.writeFileSync(
        config,
        [
          "global:",
          "  scrape_interval: 1s",
          "  scrape_timeout: 900ms",
          "scrape_configs:",
          "  - job_name: fapilog",
          "    static_configs:",
          `      - targets: ["${target}"]`,
          ""
        ].join("\n")
      )
      const child = spawn(
        "prometheus",
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${path.join(dir, "data")}`,
          `--web.listen-address=127.0.0.1:${port}`,
          "--log.level=warn"
        ],
        { stdio: ["ignore", "ignore", "pipe"] }
      )
      let stderr = ""
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8")
      })
      const started = await new Promise<"spawned" | Error>((resolve) => {
        child.once("spawn", () => resolve("spawned"))
        child.once("error", resolve)
      })
      if (started instanceof Error)
        throw new Error(`prometheus could not start (Debian: apt-get install prometheus): ${started.message}`)
      return { child, port, dir, stderr: () => stderr }
    }),
    ({ child, dir }) =>
      Effect.promise(async () => {
        await stop(child)
        fs.rmSync(dir, { recursive: true, force: true })
      })
  )

const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })

interface QueryResult {
  readonly status: string
  readonly data?: {
    readonly result: ReadonlyArray<{
      readonly metric: Record<string, string>
      readonly value: [number, string]
    }>
  }
}

/** Asks Prometheus's HTTP API until `done` accepts the answer, or 30 s have passed. */
const pollQuery = (
  port: number,
  query: string,
  done: (r: QueryResult) => boolean,
  stderr: () => string
): Effect.Effect<QueryResult> =>
  Effect.promise(async () => {
    const deadline = Date.now() + 30_000
    let last: QueryResult | string = "no answer yet"
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`)
        if (res.ok) {
          const answer = (await res.json()) as QueryResult
          last = answer
          if (done(answer)) return answer
        } else last = `HTTP ${res.status}`
      } catch (e) {
        last = String(e)
      }
      await new Promise((r) => setTimeout(r, 250))
    }
    throw new Error(
      `Prometheus never answered as expected; last: ${JSON.stringify(last)}; its log: ${stderr()}`
    )
  })

const expected: Readonly<Record<string, number>> = { info: 17, warn: 5, error: 3, audit: 2, debug: 4 }

const app = HttpRouter.empty.pipe(HttpRouter.get("/", HttpServerResponse.text("ok")))

describe("Prometheus scraping fapilog/http's /metrics", () => {
  it.scopedLive(
    "finds exactly the events logged, by level",
    () =>
      Effect.gen(function* () {
        const served = yield* Layer.build(
          HttpServer.serve(app, Http.middleware({ metrics: true })).pipe(
            Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
            Layer.provideMerge(
              Fapilog.layer({ name: "prometheus-app", level: "debug", metrics: true, sinks: ["null"] })
            )
          )
        )
        const address = (yield* Effect.provide(HttpServer.HttpServer, served)).address
        assert.strictEqual(address._tag, "TcpAddress")
        const target = `127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}`
        yield* Effect.gen(function* () {
          for (const [level, n] of Object.entries(expected))
            for (let i = 0; i < n; i++)
              yield* Fapilog[level as "info" | "warn" | "error" | "audit" | "debug"]("event", { i })
          yield* Fapilog.flush
        }).pipe(Effect.provide(served))
        const server = yield* prometheus(target)
        const query = 'fapilog_events_total{job="fapilog",pipeline="prometheus-app"}'
        const answer = yield* pollQuery(
          server.port,
          query,
          (r) => r.status === "success" && (r.data?.result.length ?? 0) === Object.keys(expected).length,
          server.stderr
        )
        const found = Object.fromEntries(
          (answer.data?.result ?? []).map((s) => [s.metric.level, Number(s.value[1])])
        )
        assert.deepStrictEqual(found, expected)
        for (const s of answer.data?.result ?? []) {
          assert.strictEqual(s.metric.__name__, "fapilog_events_total")
          assert.strictEqual(s.metric.logger, "prometheus-app")
          assert.strictEqual(s.metric.instance, target)
        }
        // the scrapes themselves were never counted: the numbers stay as they are
        const again = yield* pollQuery(
          server.port,
          'sum(fapilog_events_total{pipeline="prometheus-app"})',
          (r) => r.status === "success" && (r.data?.result.length ?? 0) === 1,
          server.stderr
        )
        assert.strictEqual(
          Number(again.data?.result[0]?.value[1]),
          Object.values(expected).reduce((a, b) => a + b, 0)
        )
        const up = yield* pollQuery(
          server.port,
          'up{job="fapilog"}',
          (r) => r.data?.result[0]?.value[1] === "1",
          server.stderr
        )
        assert.strictEqual(up.data?.result[0]?.value[1], "1")
      }),
    60_000
  )
})
