/**
 * Presets: bundles of settings for a situation, the lowest source after the defaults
 * (docs/configuration.md#presets).
 */
import { oneOf } from "../configSchema.js"
import type { Settings } from "./schema.js"
import { by } from "./shape.js"

export const presetNames = ["dev", "production", "serverless", "hardened", "minimal"] as const
export type PresetName = (typeof presetNames)[number]

export const fields = {
  preset: oneOf(presetNames, "A bundle of settings for a situation (see docs/configuration.md).")
}

export const shape = {
  /** A bundle of settings for a situation: dev, production, serverless, hardened or minimal. */
  preset: by(fields.preset)
}

/** Key names that hold secrets: what the production presets redact, and what `Settings.mask` hides. */
export const sensitiveKeys = [
  "password",
  "passwd",
  "secret",
  "token",
  "accessToken",
  "refreshToken",
  "apiKey",
  "api_key",
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "privateKey",
  "clientSecret"
] as const

/** What each preset turns on; documented in docs/configuration.md. */
export const presets = Object.freeze({
  dev: { level: "debug", format: "pretty", sinks: ["stdout"] },
  production: {
    level: "info",
    format: "json",
    enrich: { hostname: true, pid: true },
    redact: { keys: sensitiveKeys },
    maxEventBytes: 256 * 1024
  },
  serverless: {
    level: "info",
    format: "json",
    sinks: ["stdout"],
    capacity: 256,
    shutdownTimeoutMs: 2000,
    redact: { keys: sensitiveKeys },
    maxEventBytes: 256 * 1024
  },
  hardened: {
    level: "info",
    format: "json",
    enrich: { hostname: true, pid: true },
    redact: { keys: sensitiveKeys, failClosed: true, urls: true },
    maxEventBytes: 64 * 1024,
    oversize: "truncate"
  },
  minimal: { level: "info", format: "minimal", sinks: ["stdout"] }
} as const satisfies Record<PresetName, Settings>)
