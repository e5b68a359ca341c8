/**
 * fapilog: structured logging for TypeScript on Effect.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * const log = await createLogger()
 * log.info("hello", { from: "fapilog" })
 * ```
 * @since 0.1.0
 */

export { FapilogLive } from "../layers/FapilogLive.js"
export {
  CapturedLogs,
  type CapturedLogsService,
  FapilogTest,
  makeFapilogTest
} from "../layers/FapilogTest.js"
export * as Enricher from "./Enricher.js"
export * as Errors from "./Errors.js"
export * as Fapilog from "./Fapilog.js"
export * as Formatter from "./Formatter.js"
export * as Level from "./Level.js"
export * as LogEvent from "./LogEvent.js"
export * as Logger from "./Logger.js"
export { createLogger, withContext } from "./Logger.js"
export * as Metrics from "./Metrics.js"
export * as Network from "./Network.js"
export * as Plugin from "./Plugin.js"
export * as Processor from "./Processor.js"
export type { PluginEnrichers, PluginFormatters, PluginProcessors, PluginSinks } from "./Settings.js"
export * as Settings from "./Settings.js"
export * as Sink from "./Sink.js"
export * as SlowQuery from "./SlowQuery.js"
