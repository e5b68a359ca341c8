/**
 * Typed errors raised by fapilog. Logging itself never fails into your code: these appear
 * only where you build a logger (invalid settings, a sink that cannot be opened).
 *
 * @example
 * ```ts
 * import { createLogger, Errors } from "fapilog"
 *
 * try {
 *   await createLogger({ level: "loud" as never })
 * } catch (e) {
 *   if (e instanceof Errors.ConfigError) console.error(e.message)
 * }
 * ```
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * One invalid setting: where it is (a settings path such as `sinks[1].path`, or an
 * environment variable such as `FAPILOG_LEVEL`) and what is wrong with it.
 *
 * @example
 * ```ts
 * import type { Errors } from "fapilog"
 * const issue: Errors.ConfigIssue = { path: "level", message: '"loud" is not one of trace, debug, info' }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface ConfigIssue {
  readonly path: string
  readonly message: string
}

/**
 * Invalid settings. `message` lists every issue as `path: problem`, naming the bad value
 * and what is accepted.
 *
 * @example
 * ```ts
 * import { Errors } from "fapilog"
 * const e = new Errors.ConfigError({ issues: [{ path: "level", message: "bad" }] })
 * e.message // "Invalid fapilog settings:\n  level: bad"
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly issues: ReadonlyArray<ConfigIssue>
}> {
  override get message(): string {
    return `Invalid fapilog settings:\n${this.issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`
  }
}

/**
 * A sink could not be opened or failed to write.
 *
 * A write that failed part way sets `written`: the first `written` events of the batch
 * were written (in the batch's order), the rest were not. fapilog then counts those as
 * written and hands only the rest to the fallback, or retries only the rest for an
 * asynchronous sink. Without `written`, nothing of the batch counts as written.
 *
 * @example
 * ```ts
 * import { Errors } from "fapilog"
 * const e = new Errors.SinkError({ sink: "file:/var/log/app.log", reason: "open failed", cause: new Error("EACCES") })
 *
 * // in a sink's write: the first 3 events of the batch went out, then the disk was full
 * const partial = new Errors.SinkError({ sink: "archive", reason: "disk full", written: 3 })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class SinkError extends Data.TaggedError("SinkError")<{
  readonly sink: string
  readonly reason: string
  readonly cause?: unknown
  /** Events at the start of the batch written before the failure (a partial write). */
  readonly written?: number | undefined
}> {
  override get message(): string {
    const cause = this.cause instanceof Error ? `: ${this.cause.message}` : ""
    return `sink ${this.sink}: ${this.reason}${cause}`
  }
}

/**
 * A server of fapilog's own (the metrics server of `Metrics.serve`) could not listen: the
 * port is taken, or the address is not this host's. `address` is the `host:port` asked for.
 *
 * @example
 * ```ts
 * import { Errors, Metrics } from "fapilog"
 *
 * try {
 *   await Metrics.serve({ port: 9464 })
 * } catch (e) {
 *   if (e instanceof Errors.ServeError) console.error(e.message) // cannot serve on *:9464: listen EADDRINUSE ...
 * }
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ServeError extends Data.TaggedError("ServeError")<{
  readonly address: string
  readonly cause?: unknown
}> {
  override get message(): string {
    const cause = this.cause instanceof Error ? `: ${this.cause.message}` : ""
    return `cannot serve on ${this.address}${cause}`
  }
}
