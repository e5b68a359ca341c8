import { defineConfig } from "tsup"
import { pluginBuild } from "../tsup.base.js"

// the Effect 3 package; there is no Effect 4 package (effect4/) yet: its OTLP encoding is
// Effect 3's @effect/opentelemetry until its own encoder lands (docs/effect4-design.md,
// "What is not there yet")
export default defineConfig(pluginBuild())
