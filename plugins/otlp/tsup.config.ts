import { defineConfig } from "tsup"
import { pluginBuild } from "../tsup.base.js"

export default defineConfig(pluginBuild())
