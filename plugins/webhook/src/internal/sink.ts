import * as crypto from "node:crypto"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, Formatter, type LogEvent, Network, type Plugin } from "fapilog"
import type { Config, Format, Layout } from "./config.js"
import { signHeaders } from "./signature.js"

const formatterOf = (layout: Layout | undefined): Formatter.Formatter => {
  switch (layout) {
    case "ecs":
      return Formatter.ecs()
    case "otel":
      return Formatter.otel()
    case "pino":
      return Formatter.pino()
    default:
      return Formatter.json
  }
}

/**
 * The encoder of one sink. Each event is rendered by fapilog's JSON formatter (bounded,
 * never throwing on cycles or BigInt), so the body is valid JSON whatever the fields hold.
 */
export const makeEncoder = (
  format: Format | undefined,
  layout: Layout | undefined
): ((events: ReadonlyArray<LogEvent.LogEvent>) => Network.Request) => {
  const formatter = formatterOf(layout)
  const lines = (events: ReadonlyArray<LogEvent.LogEvent>) => events.map((e) => formatter.format(e))
  switch (format) {
    case "ndjson":
      return (events) => ({ body: `${lines(events).join("\n")}\n`, contentType: "application/x-ndjson" })
    case "wrapped":
      return (events) => ({
        body: `{"id":"${crypto.randomUUID()}","count":${events.length},"events":[${lines(events).join(",")}]}`,
        contentType: "application/json"
      })
    default:
      return (events) => ({ body: `[${lines(events).join(",")}]`, contentType: "application/json" })
  }
}

/** The sink's name in diagnostics: the endpoint without its query (which may hold a token). */
export const nameOf = (url: string): string => {
  const u = new URL(url)
  return `webhook:${u.origin}${u.pathname}`
}

/** Opens the webhook sink: the encoder above, signed, delivered through fapilog's network sink. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> => {
  const secret = config.secret
  return Network.make({
    ...Network.optionsFromConfig(config),
    name: nameOf(config.url),
    url: config.url,
    encode: makeEncoder(config.body, config.eventLayout),
    sign: (body, attempt) => signHeaders(secret, body, attempt),
    report: context.report
  })
}
