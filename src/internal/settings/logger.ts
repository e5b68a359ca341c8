/**
 * The logger's own settings: its name, the lowest level it writes, and the format and layout
 * of its lines (docs/settings.md, docs/formatters.md).
 */
import { accepted, oneOf } from "../configSchema.js"
import { by, level } from "./shape.js"

export const formatNames = ["json", "logfmt", "pretty", "minimal"] as const
export type FormatName = (typeof formatNames)[number]

export const layoutNames = ["default", "ecs", "otel", "pino"] as const
export type LayoutName = (typeof layoutNames)[number]

export const fields = {
  name: accepted(
    "Name",
    (u: unknown): u is string => typeof u === "string" && u.length >= 1 && u.length <= 256,
    "a name of 1 to 256 characters",
    "Logger name, written in the `logger` key."
  ),
  format: oneOf(formatNames, "Output format of the text sinks."),
  capture: oneOf(
    ["call", "late"] as const,
    "When a call's values are read: at the call (default), or late, when the batch is written."
  ),
  layout: oneOf(layoutNames, "Field layout of the json format: default, Elastic (ecs), OpenTelemetry, pino.")
}

export const shape = {
  /** Logger name, written in the `logger` key of every line; default "app". */
  name: by(fields.name),
  /** Lowest level written; default "info". */
  level,
  /** Output format of the text sinks; default pretty on an interactive terminal, JSON lines elsewhere. */
  format: by(fields.format),
  /** Field layout of the json format: default, Elastic (ecs), OpenTelemetry (otel), pino. */
  layout: by(fields.layout),
  /**
   * When the values of a call are read: "call" (default) captures them as the call is made,
   * so every line shows the values of its call; "late" reads them when the batch is written,
   * so an object the caller changes in between is written as it is then (faster; see
   * docs/event-schema.md for the risk).
   */
  capture: by(fields.capture)
}

/** `format` is decided at resolution when no source sets it: see `defaultFormat`. */
export const defaults = {
  name: "app",
  level: "info",
  format: "json",
  layout: "default",
  capture: "call"
} as const

/** Pretty on an interactive terminal (never under CI), JSON lines everywhere else. */
export const defaultFormat = (env: Readonly<Record<string, string | undefined>> = process.env): FormatName =>
  process.stdout.isTTY === true && (env.CI ?? "") === "" ? "pretty" : "json"
