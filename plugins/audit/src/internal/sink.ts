import * as crypto from "node:crypto"
import * as path from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Errors, Formatter, type LogEvent, type Plugin, Sink } from "fapilog"
import pg from "pg"
import { type Config, retentionLimits } from "./config.js"
import { fileStore } from "./fileStore.js"
import { resolveKey, signingKeyOf } from "./key.js"
import { pgStore } from "./pgStore.js"
import type { Store } from "./store.js"
import { type RetentionRemoval, Trail } from "./trail.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  fsync: "batch" as const,
  segmentMaxBytes: 64 * 1024 * 1024,
  segmentMaxAgeMs: 86_400_000,
  poolSize: 2,
  timeoutMs: 10_000
})

/** The batch's events as JSON objects, one per event (fapilog's JSON line layout, escaped: no newline inside). */
const eventsOf = (batch: Sink.Batch): Array<string> => {
  const lines = batch.text(Formatter.json).split("\n")
  lines.pop()
  return lines
}

/**
 * Whether `event` is a retention report (an `audit` event of logger `fapilog.retention`, as
 * fapilog logs each deletion a sink reports): a batch of only these never seals a segment.
 */
const isRetentionReport = (event: LogEvent.LogEvent): boolean =>
  event.logger === "fapilog.retention" && event.level === "audit"

/**
 * Opens the trail as a sink taking every event it is given (`make` narrows it to audit and
 * security): the trail resumed from its storage (a file directory or PostgreSQL),
 * each batch written and made durable before its write completes, the active segment sealed
 * on close. Only `audit` and `security` events reach it; the others are the sink's skipped.
 */
export const open = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Sink.Sink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const fsync = config.fsync ?? defaults.fsync
    const fail = (reason: string) => (cause: unknown) =>
      new Errors.SinkError({ sink: `audit:${config.path ?? "postgres"}`, reason, cause })
    const key = yield* Effect.try({ try: () => resolveKey(config.key), catch: fail("invalid key") })
    const signer = signingKeyOf(key)
    let store: Store
    if (config.postgres !== undefined) {
      const pool = yield* Effect.acquireRelease(
        Effect.sync(
          () =>
            new pg.Pool({
              connectionString: config.postgres!.connectionString,
              max: defaults.poolSize,
              connectionTimeoutMillis: defaults.timeoutMs,
              statement_timeout: defaults.timeoutMs,
              idleTimeoutMillis: 30_000
            })
        ),
        (pool) =>
          Effect.tryPromise(() => pool.end()).pipe(
            Effect.timeoutOption(1000),
            Effect.catchAll((e) => Effect.sync(() => context.report("close failed", e)))
          )
      )
      pool.on("error", (e) => context.report("idle connection lost", e))
      store = pgStore(pool, config.postgres, fsync)
    } else {
      store = yield* Effect.try({
        try: () => fileStore(path.resolve(config.path!), fsync),
        catch: fail("cannot create the trail directory")
      })
    }
    const limits = retentionLimits(config)
    const sinkName = store.name
    // each removed segment, once its removal is durable: an audit event of fapilog.retention
    // and a count in stats().retention (the trail's own record of it was written before)
    const removed = (r: RetentionRemoval) => {
      if (context.reportDeletion === undefined) {
        context.report(`retention removed segment ${r.segment} (${r.name}, ${r.policy})`)
        return
      }
      context.reportDeletion({
        sink: sinkName,
        kind: r.kind,
        name: r.name,
        bytes: r.bytes,
        ageMs: r.ageMs,
        policy: r.policy,
        fields: { segment: r.segment, lastSeq: r.lastSeq, manifest: r.manifest }
      })
    }
    const trail = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          Trail.open(store, {
            key,
            signer,
            publicKey: crypto.createPublicKey(signer),
            segmentMaxBytes: config.segmentMaxBytes ?? defaults.segmentMaxBytes,
            segmentMaxAgeMs: config.segmentMaxAgeMs ?? defaults.segmentMaxAgeMs,
            retentionMaxAgeMs: limits.maxAgeMs,
            retentionMaxTotalBytes: limits.maxTotalBytes,
            report: context.report,
            onRemoved: removed
          }),
        catch: (cause) =>
          new Errors.SinkError({ sink: store.name, reason: "cannot open the audit trail", cause })
      }),
      (trail) =>
        Effect.tryPromise(() => trail.close()).pipe(
          Effect.timeoutOption(10_000),
          Effect.catchAll((e) =>
            Effect.sync(() => context.report("sealing the active segment on close failed", e))
          )
        )
    )
    return {
      name: store.name,
      write: (batch) =>
        Effect.tryPromise({
          try: () => trail.write(eventsOf(batch), !batch.events.every(isRetentionReport)),
          catch: (cause) => new Errors.SinkError({ sink: store.name, reason: "audit write failed", cause })
        })
    } satisfies Sink.Sink
  })

/**
 * The plugin's sink: {@link open} under level audit, so that an entry whose `level` is lower
 * still writes only audit and security events to the trail.
 */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Sink.Sink, Errors.SinkError, Scope.Scope> =>
  Effect.map(open(config, context), (sink) => Sink.withMinLevel(sink, "audit"))
