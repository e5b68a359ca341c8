import { defineConfig } from "tsup"
import { pluginBuild } from "../tsup.base.js"

// the Effect 3 package; the Effect 4 one is effect4/ (its tsup.config.ts builds ../src)
export default defineConfig(pluginBuild())
