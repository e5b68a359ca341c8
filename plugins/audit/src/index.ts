/**
 * `@fapilog/audit`: a tamper-evident audit trail as a fapilog sink. It takes the `audit` and
 * `security` events (other levels are left out and counted as the sink's skipped), writes
 * each as a record carrying a sequence number, the SHA-256 of the previous record and an
 * HMAC-SHA256, makes every batch durable before its write completes, seals segments with an
 * Ed25519-signed manifest chained to the previous one, and removes old segments by age or
 * total size, writing what it removed to the trail first. Storage: a directory or a
 * PostgreSQL table. {@link verifyTrail} checks a trail; {@link formatReport} prints its
 * report as the `fapilog verify` command does.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/audit" // the types of its entry
 *
 * const log = await createLogger({
 *   sinks: ["stdout", { type: "audit", path: "/var/log/app/audit", key: "env:AUDIT_KEY" }]
 * })
 * log.audit("role granted", { user: "ana", role: "admin" })
 * await log.close()
 * ```
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, Plugin, type Sink } from "fapilog"
import * as config from "./internal/config.js"
import * as key from "./internal/key.js"
import * as internal from "./internal/sink.js"
import * as verify from "./internal/verify.js"
import * as verifier from "./internal/verifyTrail.js"

/**
 * The settings of the audit sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Audit from "@fapilog/audit"
 * const fsync: Audit.Config["fsync"] = "record"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the audit sink as written (defaults in the README):
 *
 * - `key` (required): the HMAC key, hex of at least 32 bytes, or `"env:NAME"`.
 * - `path` (a directory) or `postgres` (`{ connectionString, table?, schema? }`): the storage, one of them.
 * - `fsync`: `"batch"` (default: fdatasync after each batch), `"record"`, or `"none"`.
 * - `segmentMaxBytes` (64 MiB), `segmentMaxAgeMs` (one day): when a segment is sealed.
 * - `retention`: `{ maxAge?, maxTotalBytes? }` (at least one), removing the oldest sealed
 *   segments: `maxAge` an age (`"400d"`, or milliseconds; `maxAgeMs`, milliseconds only, is
 *   its alias: give one of the two), `maxTotalBytes` a size (`"10 GB"`, or bytes). Each
 *   removal is recorded in the trail, then reported as an `audit` event of logger
 *   `fapilog.retention` and counted in `stats().retention`.
 *
 * @example
 * ```ts
 * import type * as Audit from "@fapilog/audit"
 * const settings: Audit.ConfigInput = {
 *   path: "/var/log/app/audit",
 *   key: "env:AUDIT_KEY",
 *   retention: { maxAge: "400d", maxTotalBytes: "10 GB" }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "audit", ...ConfigInput }` is a `sinks` entry (a tamper-evident trail). */
  interface PluginSinks {
    audit: ConfigInput
  }
}

/**
 * The plugin object: what fapilog loads for `{ type: "audit" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as audit } from "@fapilog/audit"
 *
 * const log = await createLogger({
 *   plugins: { use: [audit] },
 *   sinks: [{ type: "audit", path: "audit-trail", key: "env:AUDIT_KEY" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/audit",
  type: "audit",
  version: "0.1.0",
  apiVersion: "1.0",
  description: "Tamper-evident audit trail: chained HMAC records, signed segment manifests, retention",
  keywords: ["audit", "tamper-evident", "compliance", "security"],
  config: config.Config,
  // events below audit are the sink's skipped (an entry's `level` may raise it to security)
  minLevel: "audit",
  make: internal.make
})

export default plugin

/**
 * The audit sink from code: checks the settings (a `ConfigError` naming each bad field) and
 * opens the trail in the logger's scope, like `{ type: "audit", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Audit from "@fapilog/audit"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Audit.sink({ path: "audit-trail", key: "env:AUDIT_KEY" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)

/**
 * Where a trail is: its directory, or `{ postgres: { connectionString, table?, schema? } }`
 * (`table` defaults to `fapilog_audit`, `schema` to `public`).
 *
 * @example
 * ```ts
 * import type * as Audit from "@fapilog/audit"
 * const db: Audit.TrailSource = { postgres: { connectionString: "postgres://audit@db/app" } }
 * ```
 * @since 0.1.0
 * @category models
 */
export type TrailSource = verifier.TrailSource

/**
 * The options of {@link verifyTrail}: the trail's `key` (hex, `"env:NAME"` or bytes).
 *
 * @example
 * ```ts
 * import type * as Audit from "@fapilog/audit"
 * const options: Audit.VerifyOptions = { key: "env:AUDIT_KEY" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type VerifyOptions = verifier.VerifyOptions

/**
 * What {@link verifyTrail} found: `{ ok: true, ... }` with counts, or `{ ok: false, damage,
 * segment, seq?, line?, reason, records }` naming the first broken place.
 *
 * @example
 * ```ts
 * import type * as Audit from "@fapilog/audit"
 * const explain = (r: Audit.Report) => (r.ok ? "intact" : `${r.damage}: ${r.reason}`)
 * ```
 * @since 0.1.0
 * @category models
 */
export type Report = verify.Report

/**
 * The kinds of damage a broken report names: `edited`, `deleted`, `inserted`, `reordered`,
 * `truncated`, `replaced`, `segment-removed`, `malformed`.
 *
 * @example
 * ```ts
 * import type * as Audit from "@fapilog/audit"
 * const worst: Audit.Damage = "segment-removed"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Damage = verify.Damage

/**
 * Verifies a trail: every record's HMAC, sequence and chain, every manifest's signature,
 * chain and contents, the head, and that missing oldest segments were removed by retention.
 * Rejects (a RangeError naming the field) on a bad key or a path that is not a directory.
 *
 * @example
 * ```ts
 * import { verifyTrail } from "@fapilog/audit"
 *
 * const report = await verifyTrail("/var/log/app/audit", { key: "env:AUDIT_KEY" })
 * if (!report.ok) console.error(`record ${report.seq}: ${report.reason}`)
 * ```
 * @since 0.1.0
 * @category verification
 */
export const verifyTrail: (source: TrailSource, options: VerifyOptions) => Promise<Report> =
  verifier.verifyTrail

/**
 * A report as the `fapilog verify` command prints it (one line starting `OK` or `BROKEN`)
 * and the command's exit code: 0 when intact, 1 when broken.
 *
 * @example
 * ```ts
 * import { formatReport, verifyTrail } from "@fapilog/audit"
 *
 * const { text, exitCode } = formatReport(await verifyTrail("audit-trail", { key: "env:AUDIT_KEY" }))
 * console.log(text)
 * process.exitCode = exitCode
 * ```
 * @since 0.1.0
 * @category verification
 */
export const formatReport: (report: Report) => { readonly text: string; readonly exitCode: 0 | 1 } =
  verify.formatReport

/**
 * The public half of the Ed25519 key that signs a trail's manifests (derived from `key`), as
 * a PEM: what a party that should check manifests, but not write records, is given.
 *
 * @example
 * ```ts
 * import { publicKeyOf } from "@fapilog/audit"
 * const pem = publicKeyOf("env:AUDIT_KEY") // "-----BEGIN PUBLIC KEY-----..."
 * ```
 * @since 0.1.0
 * @category verification
 */
export const publicKeyOf = (trailKey: string | Uint8Array): string =>
  key.publicKeyPem(typeof trailKey === "string" ? key.resolveKey(trailKey) : trailKey)
