/**
 * Fingers-crossed buffering and per-sink selection on the Effect 4 line: the same shared
 * processor and sink narrowing as test/internal/fingersCrossed.test.ts and
 * test/BuiltIns.test.ts, driven by Effect 4's `Effect.log*` and annotations.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Fapilog, Sink } from "../../src/effect4/index.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-effect4-fc-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const readLines = (file: string): Array<Record<string, unknown>> =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>)

const inRequest =
  (correlationId: string) =>
  <A, E, R>(self: Effect.Effect<A, E, R>) =>
    Effect.annotateLogs(self, { correlationId })

describe("fingersCrossed and per-sink selection on Effect 4", () => {
  it.effect(
    "a request's debug lines are written before its error only; a filtered sink skips what it leaves out",
    () =>
      Effect.gen(function* () {
        const all = path.join(dir, "all.log")
        const slow = Sink.memory()
        const service = yield* Effect.gen(function* () {
          for (const id of ["c-ok", "c-bad"])
            yield* Effect.gen(function* () {
              yield* Effect.logDebug("query").pipe(Effect.annotateLogs({ ms: 250 }))
              yield* Effect.logInfo("cache miss").pipe(Effect.annotateLogs({ ms: 3 }))
            }).pipe(inRequest(id))
          yield* Effect.logError("failed").pipe(inRequest("c-bad"))
          yield* Fapilog.flush
          const stats = yield* Fapilog.stats
          assert.strictEqual(stats.held, 2, "c-ok's two events")
          assert.strictEqual(stats.settled, stats.accepted)
          return yield* Fapilog.Fapilog
        }).pipe(
          Effect.provide(
            Fapilog.layer({
              level: "debug",
              fingersCrossed: { bufferSize: 10 },
              sinks: [{ type: "file", path: all }, Sink.withFilter(slow, (e) => Number(e.fields.ms) > 100)]
            })
          )
        )
        assert.deepStrictEqual(
          readLines(all).map((l) => [l.correlationId, l.message]),
          [
            ["c-bad", "query"],
            ["c-bad", "cache miss"],
            ["c-bad", "failed"],
            [undefined, "fingers-crossed discarded events"]
          ]
        )
        assert.deepStrictEqual(
          slow.events().map((e) => e.message),
          ["query"]
        )
        const stats = yield* service.stats
        assert.deepStrictEqual([stats.held, stats.filtered, stats.lost], [0, 2, 0])
        assert.deepStrictEqual(stats.filteredBy, { "fingers-crossed": 2 })
        const health = yield* service.health
        assert.deepStrictEqual(
          health.sinks.map((h) => [h.written, h.skipped]),
          [
            [4, 0],
            [1, 3]
          ]
        )
      })
  )
})
