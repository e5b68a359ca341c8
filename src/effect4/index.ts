/**
 * fapilog for Effect 4 (`fapilog-effect4`): the modules of `fapilog` that this proof of
 * concept carries to Effect 4. The rest (`LogEvent`, `Settings`, `Plugin`,
 * `Testing`, the Express and Fastify adapters) follows with the port: docs/effect4-design.md.
 * `Http` is the middleware for Effect 4's `effect/http`; `Network` is the shared network sink
 * (batches, retries, circuit breaker, spool) that the Loki, OTLP and HTTP plugins build on.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FapilogLive } from "fapilog-effect4"
 *
 * Effect.runPromise(Effect.log("hello").pipe(Effect.provide(FapilogLive)))
 * ```
 * @since 0.1.0
 */

export { FapilogLive } from "../../layers/FapilogLive.js"
export {
  CapturedLogs,
  type CapturedLogsService,
  FapilogTest,
  makeFapilogTest
} from "../../layers/FapilogTest.js"
export * as Enricher from "../Enricher.js"
export * as Errors from "../Errors.js"
export * as Fapilog from "../Fapilog.js"
export * as Formatter from "../Formatter.js"
export * as Level from "../Level.js"
export * as LogEvent from "../LogEvent.js"
export * as Logger from "../Logger.js"
export { createLogger, withContext } from "../Logger.js"
export * as Metrics from "../Metrics.js"
export * as Network from "../Network.js"
export * as Plugin from "../Plugin.js"
export * as Processor from "../Processor.js"
export type { PluginEnrichers, PluginFormatters, PluginProcessors, PluginSinks } from "../Settings.js"
export * as Settings from "../Settings.js"
export * as Sink from "../Sink.js"
export * as SlowQuery from "../SlowQuery.js"
export * as Testing from "../Testing.js"
export * as Http from "./Http.js"
