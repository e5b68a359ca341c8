/** How the syslog tests log through a real rsyslog and read back what it wrote. */
import { createLogger, type Logger, Plugin, type Settings } from "fapilog"
import * as Syslog from "../src/index.js"
import type { Received, Rsyslog } from "./rsyslog.js"

/**
 * Short batching, retry and breaker delays, so a restart is noticed and recovered from
 * quickly; a TLS handshake rsyslog leaves hanging (its gtls can stall after the test's
 * readiness probe) is given up after 2 s and tried again.
 */
export const fast = {
  batch: { maxWaitMs: 20 },
  timeoutMs: 2000,
  retry: { initialDelayMs: 20, maxDelayMs: 200 },
  circuitBreaker: { resetMs: 200 }
}

/** The settings of a sink to this rsyslog over `protocol`. */
export const entryFor = (
  r: Rsyslog,
  protocol: "udp" | "tcp" | "tls",
  more: Readonly<Record<string, unknown>> = {}
): Settings.SinkSetting =>
  Plugin.entry("syslog", {
    host: "127.0.0.1",
    port: protocol === "udp" ? r.udpPort : r.tcpPort,
    protocol,
    ...(protocol === "tls" ? { tls: { ca: r.caFile ?? "", servername: "localhost" } } : {}),
    ...fast,
    ...more
  })

/** A logger with this plugin in `plugins.use`. */
export const loggerFor = (
  sinks: Settings.Settings["sinks"],
  settings: Settings.Settings = {}
): Promise<Logger.Logger> => createLogger({ ...settings, plugins: { use: [Syslog.plugin] }, sinks })

/** The JSON MSG of a received message (its BOM removed). */
export const eventOf = (r: Received): Record<string, unknown> =>
  JSON.parse(r.msg.replace(/^\uFEFF/, "")) as Record<string, unknown>
