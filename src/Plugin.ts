/**
 * Plugins: third-party (and first-party) packages that add sinks or enrichers. A plugin is a
 * typed object with its metadata, a config Schema and a scoped constructor; settings name it
 * by `type` (`{ type: "loki", url }`) and fapilog loads `@fapilog/<type>` or
 * `fapilog-plugin-<type>`, checks its `apiVersion`, validates the config, then opens it in
 * the logger's scope.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Plugin, Sink } from "fapilog"
 *
 * export const plugin = Plugin.sink({
 *   name: "fapilog-plugin-console",
 *   type: "console",
 *   version: "1.0.0",
 *   apiVersion: Plugin.apiVersion,
 *   description: "Writes messages with console.log",
 *   config: Schema.Struct({ prefix: Schema.optional(Schema.String) }),
 *   make: (config) =>
 *     Effect.succeed(Sink.makeSync("console", (batch) => {
 *       for (const e of batch.events) console.log(`${config.prefix ?? ""}${e.message}`)
 *     }))
 * })
 * ```
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { Named } from "./Enricher.js"
import type { SinkError } from "./Errors.js"
import type { Sink } from "./Sink.js"

/**
 * The plugin API version this fapilog implements, `major.minor`. A plugin declaring
 * `apiVersion` `M.m` loads when `M` equals this major and `m` is at most this minor.
 *
 * @example
 * ```ts
 * import { Plugin } from "fapilog"
 * Plugin.apiVersion // "1.0"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const apiVersion = "1.0"

/**
 * The kinds of plugin.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const kind: Plugin.Kind = "sink"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Kind = "sink" | "enricher"

/**
 * What is known about a plugin without running it (also found, as the `fapilog` field, in
 * its package.json: `{ "kind", "type", "apiVersion" }`).
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const meta: Plugin.Meta = {
 *   name: "@fapilog/loki", type: "loki", kind: "sink", version: "0.1.0", apiVersion: "1.0",
 *   description: "Grafana Loki push API"
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Meta {
  /** The npm package name. */
  readonly name: string
  /** The name settings use: `{ type: "loki" }`. */
  readonly type: string
  readonly kind: Kind
  /** The plugin's own version. */
  readonly version: string
  /** The fapilog plugin API it was written against, `major.minor`. */
  readonly apiVersion: string
  readonly description: string
  readonly keywords?: ReadonlyArray<string> | undefined
}

/**
 * What a plugin's constructor receives besides its config.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const report = (ctx: Plugin.Context) => ctx.report("connection refused")
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Context {
  /** The logger's name (settings `name`). */
  readonly logger: string
  /** The `service` of the enrich settings, when set. */
  readonly service: string | undefined
  /** Reports a problem on fapilog's rate-limited diagnostics channel. */
  readonly report: (message: string, error?: unknown) => void
}

/**
 * A sink plugin: validated config in, a sink opened in the logger's scope out.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * declare const loki: Plugin.SinkPlugin<{ readonly url: string }>
 * loki.type // "loki"
 * ```
 * @since 0.1.0
 * @category models
 */
export interface SinkPlugin<A = unknown, I = A> extends Meta {
  readonly kind: "sink"
  readonly config: Schema.Schema<A, I>
  readonly make: (config: A, context: Context) => Effect.Effect<Sink, SinkError, Scope.Scope>
}

/**
 * An enricher plugin: validated config in, a named enricher out.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * declare const region: Plugin.EnricherPlugin<{ readonly region: string }>
 * region.kind // "enricher"
 * ```
 * @since 0.1.0
 * @category models
 */
export interface EnricherPlugin<A = unknown, I = A> extends Meta {
  readonly kind: "enricher"
  readonly config: Schema.Schema<A, I>
  readonly make: (config: A, context: Context) => Effect.Effect<Named, SinkError, Scope.Scope>
}

/**
 * Any plugin, its config type erased (the loader decodes the config with the plugin's own
 * Schema before calling `make`).
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const describe = (p: Plugin.Plugin) => `${p.name}@${p.version} (${p.kind})`
 * ```
 * @since 0.1.0
 * @category models
 */
export type Plugin =
  | (Meta & {
      readonly kind: "sink"
      readonly config: Schema.Schema.AnyNoContext
      readonly make: (config: never, context: Context) => Effect.Effect<Sink, SinkError, Scope.Scope>
    })
  | (Meta & {
      readonly kind: "enricher"
      readonly config: Schema.Schema.AnyNoContext
      readonly make: (config: never, context: Context) => Effect.Effect<Named, SinkError, Scope.Scope>
    })
