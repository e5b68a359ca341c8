import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, type LogEvent, Network, type Plugin, type Sink } from "fapilog"
import { type Config, DEFAULT_URL } from "./config.js"
import * as encode from "./encode.js"
import { type RequestOptions, toRequest } from "./logs.js"

/** This package's version, the instrumentation scope version. */
export const VERSION = "0.1.0"

/** The service name OpenTelemetry prescribes when none is known. */
export const UNKNOWN_SERVICE = "unknown_service:node"

/**
 * The encoder of one sink: the events of a request to an `ExportLogsServiceRequest` body,
 * protobuf (`application/x-protobuf`) or OTLP/JSON (`application/json`). A plain function.
 */
export const makeEncoder = (
  config: Config,
  context: Pick<Plugin.Context, "service">
): ((events: ReadonlyArray<LogEvent.LogEvent>) => Network.Request) => {
  const options: RequestOptions = {
    resource: config.resource ?? {},
    serviceName: context.service ?? UNKNOWN_SERVICE,
    scope: { name: config.scope ?? "fapilog", version: VERSION }
  }
  return config.encoding === "json"
    ? (events) => ({ body: encode.json(toRequest(events, options)), contentType: "application/json" })
    : (events) => ({
        body: encode.protobuf(toRequest(events, options)),
        contentType: "application/x-protobuf"
      })
}

/** Opens the OTLP sink: the encoder above, delivered through fapilog's network sink. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Sink.Sink, Errors.SinkError, Scope.Scope> => {
  const url = config.url ?? DEFAULT_URL
  const { origin, pathname } = new URL(url)
  return Network.make({
    ...Network.optionsFromConfig(config),
    name: `otlp:${origin}${pathname}`,
    url,
    encode: makeEncoder(config, context),
    report: context.report
  })
}
