/** Plugin objects shared by test files. */
import { Effect, Schema } from "effect"
import { Plugin } from "fapilog"

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
