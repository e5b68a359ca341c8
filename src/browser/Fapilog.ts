/**
 * fapilog for Effect programs in the browser build: the same service, helpers and layer as
 * the Node build's `Fapilog` module, with the layer taking the browser settings.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog/browser"
 *
 * const program = Effect.log("started").pipe(Effect.zipRight(Fapilog.info("signed in", { userId: 42 })))
 * Effect.runPromise(program.pipe(Effect.provide(Fapilog.layer({ sinks: ["console"] }))))
 * ```
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import type { ConfigError, SinkError } from "../Errors.js"
import * as shared from "../Fapilog.js"
import type { BrowserSettings } from "../internal/browserBuild.js"
import type { Settings } from "../Settings.js"

export {
  audit,
  type CallFields,
  type CategoryPath,
  debug,
  type Extension,
  error,
  Fapilog,
  type FapilogService,
  fatal,
  flush,
  health,
  info,
  type Levels,
  type Stats,
  security,
  stats,
  trace,
  warn,
  withContext,
  withLogger
} from "../Fapilog.js"

/**
 * Installs fapilog as Effect's logger, from the browser settings (console by default); the
 * layer drains every accepted event when its scope closes, and flushes when the page is
 * hidden or left (`flushOnHide`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog/browser"
 *
 * const Live = Fapilog.layer({ level: "debug", sinks: ["console", { type: "http", url: "/logs" }] })
 * Effect.runPromise(Effect.log("hello").pipe(Effect.provide(Live)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (settings?: BrowserSettings): Layer.Layer<shared.Fapilog, ConfigError | SinkError> =>
  // the browser build resolves the settings with browserBuild.ts, which takes BrowserSettings
  shared.layer(settings as Settings)
