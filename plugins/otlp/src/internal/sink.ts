import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, type LogEvent, Network, type Plugin, type Sink } from "fapilog"
import { type Config, DEFAULT_URL } from "./config.js"
import { type RequestOptions, toRequest } from "./logs.js"

/** This package's version, the instrumentation scope version. */
export const VERSION = "0.1.0"

/** The service name OpenTelemetry prescribes when none is known. */
export const UNKNOWN_SERVICE = "unknown_service:node"

/**
 * The encoder of one sink: the events of a request to an `ExportLogsServiceRequest` body,
 * serialized by `@effect/opentelemetry`'s `OtlpSerialization` (protobuf or JSON).
 */
export const makeEncoder = (
  config: Config,
  context: Pick<Plugin.Context, "service">
): Effect.Effect<(events: ReadonlyArray<LogEvent.LogEvent>) => Network.Request> =>
  Effect.map(
    Effect.provide(
      OtlpSerialization.OtlpSerialization,
      config.encoding === "json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf
    ),
    (serialization) => {
      const options: RequestOptions = {
        encoding: config.encoding ?? "protobuf",
        resource: config.resource ?? {},
        serviceName: context.service ?? UNKNOWN_SERVICE,
        scope: { name: config.scope ?? "fapilog", version: VERSION }
      }
      return (events) => {
        const body = serialization.logs(toRequest(events, options))
        // both serializers build their body in memory; anything else would be a new release's change
        if (body._tag !== "Uint8Array") throw new Error(`OtlpSerialization gave a ${body._tag} body`)
        return { body: body.body, contentType: body.contentType }
      }
    }
  )

/** Opens the OTLP sink: the encoder above, delivered through fapilog's network sink. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Sink.Sink, Errors.SinkError, Scope.Scope> => {
  const url = config.url ?? DEFAULT_URL
  const { origin, pathname } = new URL(url)
  return Effect.flatMap(makeEncoder(config, context), (encode) =>
    Network.make({
      ...Network.optionsFromConfig(config),
      name: `otlp:${origin}${pathname}`,
      url,
      encode,
      report: context.report
    })
  )
}
