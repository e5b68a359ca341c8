/**
 * `@fapilog/pii`: a processor that finds personal data and secrets in the values of every
 * event (e-mail addresses, payment card numbers, IBANs, US SSNs, UK National Insurance
 * numbers, JWTs, bearer tokens, API keys, credentials in URLs and, when asked, IP addresses)
 * and censors, removes, hashes or masks them, in the message, in nested fields and in errors.
 *
 * Settings name it `processors: [{ type: "pii" }]`: every detector but the IP addresses on,
 * censoring. See the README for the detectors, the actions and what it costs.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { Plugin, Processor } from "fapilog"
import * as config from "./internal/config.js"
import type { DetectorName } from "./internal/detectors.js"
import { Scrubber } from "./internal/scrub.js"

/**
 * The config of the processor: every key of its entry but `type`, `order` and `onError`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Config } from "@fapilog/pii"
 *
 * Schema.decodeUnknownSync(Config)({ detectors: { email: "hash", ipv4: "censor" }, key: "env:PII_KEY" })
 * ```
 * @since 0.1.0
 * @category models
 */
export const Config = config.Config

/**
 * The decoded config.
 *
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The config as settings write it.
 *
 * @example
 * ```ts
 * import type { ConfigInput } from "@fapilog/pii"
 *
 * const pii: ConfigInput = { detectors: { card: "mask", ipv4: "censor" } }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

/**
 * A detector's name, as `detectors` keys spell it.
 *
 * @since 0.1.0
 * @category models
 */
export type Detector = DetectorName

/**
 * What a detector does with a match: `censor`, `remove`, `hash`, `mask`, or `off`.
 *
 * @since 0.1.0
 * @category models
 */
export type Action = config.Action

declare module "fapilog" {
  /** With this package imported, `{ type: "pii", ...ConfigInput }` is a `processors` entry. */
  interface PluginProcessors {
    pii: ConfigInput
  }
}

/**
 * The processor of a decoded config, for use without settings (a processor layer, a test).
 * `report` receives what the processor could not scan when it fails open.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Config, make } from "@fapilog/pii"
 *
 * const pii = make(Schema.decodeUnknownSync(Config)({}))
 * pii.process?.(event) // the event, or a copy with its personal data censored
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  c: Config,
  report: (message: string, error?: unknown) => void = () => {}
): Processor.Processor => {
  const key = c.key === undefined ? undefined : config.keyBytes(c.key)
  if (typeof key === "string") throw new Error(`key ${key}`)
  const failClosed = c.failClosed === true
  const scrubber = new Scrubber({ actions: config.actionsOf(c), key, censor: c.censor })
  return Processor.text("pii", (s) => scrubber.string(s), {
    maxDepth: c.maxDepth ?? 32,
    unscannable: (error) => {
      // fail closed: the event is withheld by the processor stage (onError "drop"), counted
      // under "pii" and reported there
      if (failClosed) throw error
      report("a value could not be scanned and was censored", error)
      return c.censor ?? "[REDACTED:unscannable]"
    },
    ...(failClosed ? { onError: "drop" as const } : {})
  })
}

/**
 * The plugin object: what fapilog loads for `{ type: "pii" }`, or what you pass in
 * `plugins.use` or to `Plugin.open`.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as pii } from "@fapilog/pii"
 *
 * const log = await createLogger({ processors: [{ type: "pii" }], plugins: { use: [pii] } })
 * log.info("signup", { email: "ada@example.com" }) // "email":"[REDACTED:email]"
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin = Plugin.processor({
  name: "@fapilog/pii",
  type: "pii",
  version: "0.1.0",
  apiVersion: "1.0",
  description:
    "Finds personal data and secrets in every value of an event and censors, removes, hashes or masks them",
  keywords: ["pii", "gdpr", "pci-dss", "redaction", "privacy"],
  config: Config,
  make: (c, context) => Effect.sync(() => make(c, context.report))
})

export default plugin
