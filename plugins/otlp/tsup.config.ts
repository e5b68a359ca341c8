import { defineConfig } from "tsup"
import { pluginBuild } from "../tsup.base.js"

// no ./effect4 build yet: its OTLP encoding is Effect 3's @effect/opentelemetry until its own
// encoder lands (docs/effect4-design.md, "What is not there yet")
export default defineConfig(pluginBuild({ effect4: false }))
