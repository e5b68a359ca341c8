import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, type LogEvent, Network, type Plugin, type Sink } from "fapilog"
import { authHeaders, type Config, pushUrl } from "./config.js"
import { jsonBody } from "./push.js"
import { StreamBuilder } from "./streams.js"

/** Distinct values per label key when `maxLabelValues` is not set. */
export const DEFAULT_MAX_LABEL_VALUES = 100

/** The encoder of one sink: events of a request to a push body. */
export const makeEncoder = (
  config: Config,
  context: Pick<Plugin.Context, "service" | "report">
): ((events: ReadonlyArray<LogEvent.LogEvent>) => Network.Request) => {
  const builder = new StreamBuilder({
    labels: config.labels ?? { service_name: context.service ?? "fapilog" },
    labelKeys: config.labelKeys ?? [],
    maxLabelValues: config.maxLabelValues ?? DEFAULT_MAX_LABEL_VALUES,
    structuredMetadata: config.structuredMetadata ?? true,
    onOverflow: (keys, events) =>
      context.report(
        `${events} event(s) carried a new value for label ${keys.join(", ")} past maxLabelValues ` +
          `(${config.maxLabelValues ?? DEFAULT_MAX_LABEL_VALUES}); sent with the value "__overflow__"`
      )
  })
  return config.encoding === "json"
    ? (events) => ({ body: jsonBody(builder.build(events)), contentType: "application/json" })
    : (events) => ({ body: builder.protobuf(events), contentType: "application/x-protobuf" })
}

/** Opens the Loki sink: the encoder above, delivered through fapilog's network sink. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Sink.Sink, Errors.SinkError, Scope.Scope> => {
  const url = pushUrl(config.url)
  return Network.make({
    ...Network.optionsFromConfig(config),
    name: `loki:${new URL(url).origin}`,
    url,
    encode: makeEncoder(config, context),
    headers: { ...config.headers, ...authHeaders(config) },
    report: context.report
  })
}
