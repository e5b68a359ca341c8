/**
 * The keys fapilog reads itself in every sink entry (docs/sinks.md#reserved-keys). A plugin
 * sink's config is the rest of its entry, so a plugin cannot declare one of these: its
 * config Schema is refused when the plugin is loaded (plugin.ts), and an entry never hands
 * one of them to a plugin.
 */
import { keyNameOptions } from "./lineKeys.js"

/** The keys that choose which events a sink takes (settings/sinks.ts checks them), on every sink. */
export const selectionKeys = ["level", "categories", "excludeCategories", "filter"] as const

export const reservedSinkKeys: ReadonlyArray<string> = Object.freeze([
  "type",
  ...selectionKeys,
  "format",
  "layout",
  ...keyNameOptions
])

/** The reserved keys that only text sinks (stdout, stderr, file) take: a plugin sink writes its own output. */
export const textSinkKeys: ReadonlyArray<string> = Object.freeze(["format", "layout", ...keyNameOptions])
