/** Plugin objects shared by test files. */
import { Effect, Schema } from "effect"
import { Formatter, Plugin, Processor } from "fapilog"

/** An enricher plugin adding the `region` of its config to every event. */
export const regionPlugin = () =>
  Plugin.enricher({
    name: "fapilog-plugin-region",
    type: "region",
    version: "1.0.0",
    apiVersion: "1.0",
    description: "Adds the region",
    config: Schema.Struct({ region: Schema.String }),
    make: ({ region }) => Effect.succeed({ name: "region", enrich: () => ({ region }) })
  })

/** A processor plugin removing the fields its config lists (a copy of the event, never the event itself). */
export const redactPlugin = (options: { readonly onError?: "pass" | "drop" } = {}) =>
  Plugin.processor({
    name: "fapilog-plugin-redact-keys",
    type: "redact-keys",
    version: "1.0.0",
    apiVersion: "1.0",
    description: "Removes the listed fields",
    ...(options.onError === undefined ? {} : { onError: options.onError }),
    config: Schema.Struct({ keys: Schema.Array(Schema.String) }),
    make: ({ keys }) =>
      Effect.succeed(
        Processor.make("redact-keys", (event) => {
          if (!keys.some((k) => Object.hasOwn(event.fields, k))) return event
          const fields: Record<string, unknown> = {}
          for (const [k, v] of Object.entries(event.fields)) if (!keys.includes(k)) fields[k] = v
          return { ...event, fields }
        })
      )
  })

/** A formatter plugin writing `<prefix>LEVEL "message"` (the message as a JSON string: one line). */
export const upperPlugin = () =>
  Plugin.formatter({
    name: "fapilog-plugin-upper",
    type: "upper",
    version: "1.0.0",
    apiVersion: "1.0",
    description: "LEVEL and the message",
    config: Schema.Struct({ prefix: Plugin.optional(Schema.String) }),
    make: ({ prefix }) =>
      Effect.succeed(
        Formatter.make("upper", (e) => `${prefix ?? ""}${e.level.toUpperCase()} ${JSON.stringify(e.message)}`)
      )
  })
