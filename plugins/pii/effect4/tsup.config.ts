import { defineConfig } from "tsup"
import { effect4Build } from "../../tsup.base.js"

// the Effect 4 package: the plugin's one source, ../src, built against fapilog-effect4
export default defineConfig(effect4Build(".."))
