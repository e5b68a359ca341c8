/**
 * The `plugins` setting (docs/plugins.md): plugin objects to use without discovery, allow
 * and deny lists, the discovery switch and the timeout. Its type is `PluginSettings`, which
 * the plugin loader (src/internal/plugin.ts) declares; the shape below has exactly its keys.
 */
import * as Either from "effect/Either"
import type { Plugin } from "../../Plugin.js"
import { show, wholeNumber } from "../configSchema.js"
import { type PluginSettings, readPlugin } from "../plugin.js"
import { by, type Check, object, type ShapeOf, fields as shared, stringList } from "./shape.js"

/** Each plugin object is read once, into a plain frozen copy. */
const use: Check<ReadonlyArray<Plugin>> = (list, at, issues) => {
  if (!Array.isArray(list)) {
    issues.push({ path: at, message: `${show(list)} is not a list of plugin objects` })
    return undefined
  }
  const before = issues.length
  const read = list.map((p, i) => {
    const plugin = readPlugin(p)
    if (Either.isLeft(plugin)) issues.push({ path: `${at}[${i}]`, message: `plugin ${plugin.left}` })
    return Either.getOrUndefined(plugin)
  })
  return issues.length > before ? undefined : (read as ReadonlyArray<Plugin>)
}

const plugins = {
  use,
  allow: stringList,
  deny: stringList,
  discover: by(shared.flag),
  timeoutMs: by(
    wholeNumber(
      1,
      600_000,
      "milliseconds",
      "Longest a plugin's start, a sink Effect's construction, or one of a plugin sink's writes may take (not the writes of a sink that delivers in the background: they may wait for room)."
    )
  )
} satisfies ShapeOf<PluginSettings>

const pluginsSetting: Check<PluginSettings> = object(plugins, "a plugins setting")

export const shape = {
  /** Plugins: objects to use without discovery, allow and deny lists, discovery switch, timeout. */
  plugins: pluginsSetting
}
