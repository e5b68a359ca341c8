/**
 * The settings of the syslog sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "syslog", ... }` entry against, and what `Syslog.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"
import { facilities, isSdName } from "./format.js"

const text = (what: string, max: number, description: string) =>
  Plugin.accepted(
    what,
    (u: unknown): u is string => typeof u === "string" && /^[\x21-\x7e]+$/.test(u) && u.length <= max,
    `1 to ${max} printable US-ASCII characters without spaces`,
    description
  )

const Host = Plugin.accepted(
  "SyslogHost",
  (u: unknown): u is string => typeof u === "string" && /^[^\s/]+$/.test(u) && u.length <= 255,
  "a host name or IP address (no spaces, no scheme)",
  "The syslog server."
)

const Facility = Plugin.accepted(
  "SyslogFacility",
  (u: unknown): u is keyof typeof facilities | number =>
    (typeof u === "string" && Object.hasOwn(facilities, u)) ||
    (typeof u === "number" && Number.isInteger(u) && u >= 0 && u <= 23),
  `a facility name (${Object.keys(facilities).join(", ")}) or a number from 0 to 23`
)

const Rfc = Plugin.accepted(
  "SyslogRfc",
  (u: unknown): u is "5424" | "3164" | 5424 | 3164 =>
    u === "5424" || u === "3164" || u === 5424 || u === 3164,
  '"5424" or "3164"'
)

const Severity = Plugin.wholeNumber(0, 7, "syslog severity (0 emergency to 7 debug)")

const EventKey = Plugin.accepted(
  "EventKey",
  (u: unknown): u is string => typeof u === "string" && u.length > 0,
  "an event key (correlationId, traceId, spanId, logger, level, id or a field name)"
)

const SdId = Plugin.accepted(
  "SdId",
  (u: unknown): u is string => typeof u === "string" && isSdName(u) && /^[^@]+@\d+(\.\d+)*$/.test(u),
  'an SD-ID of the form name@<private enterprise number> (e.g. "fields@32473"; at most 32 printable characters, no =, space, ] or ")'
)

const Pem = Plugin.accepted(
  "Pem",
  (u: unknown): u is string => typeof u === "string" && u.length > 0 && !u.includes("\0"),
  "PEM text (-----BEGIN ...) or the path of a PEM file"
)

const Bool = Plugin.accepted("Boolean", (u): u is boolean => typeof u === "boolean", "true or false")

const fields = {
  host: Host,
  port: Plugin.optional(Plugin.wholeNumber(1, 65_535, "port")),
  protocol: Plugin.optional(Plugin.oneOf(["udp", "tcp", "tls"])),
  rfc: Plugin.optional(Rfc),
  facility: Plugin.optional(Facility),
  appName: Plugin.optional(text("AppName", 48, "APP-NAME (RFC 5424) and TAG (RFC 3164).")),
  hostname: Plugin.optional(text("Hostname", 255, "HOSTNAME of every message.")),
  procId: Plugin.optional(
    Plugin.accepted(
      "ProcId",
      (u: unknown): u is string | number =>
        (typeof u === "number" && Number.isInteger(u) && u >= 0) ||
        (typeof u === "string" && /^[\x21-\x7e]{1,128}$/.test(u)),
      "a process id (a whole number) or 1 to 128 printable US-ASCII characters"
    )
  ),
  msgId: Plugin.optional(text("MsgId", 32, "MSGID of every message.")),
  msgIdKey: Plugin.optional(EventKey),
  structuredData: Plugin.optional(
    Schema.Struct({
      id: Plugin.optional(SdId),
      keys: Schema.Array(EventKey)
    })
  ),
  message: Plugin.optional(Plugin.oneOf(["json", "text"])),
  bom: Plugin.optional(Bool),
  framing: Plugin.optional(Plugin.oneOf(["octet-counting", "lf"])),
  maxMessageBytes: Plugin.optional(Plugin.wholeNumber(480, 1_048_576, "bytes")),
  severity: Plugin.optional(
    Schema.Struct({
      trace: Plugin.optional(Severity),
      debug: Plugin.optional(Severity),
      info: Plugin.optional(Severity),
      warn: Plugin.optional(Severity),
      error: Plugin.optional(Severity),
      fatal: Plugin.optional(Severity),
      audit: Plugin.optional(Severity),
      security: Plugin.optional(Severity)
    })
  ),
  tls: Plugin.optional(
    Schema.Struct({
      ca: Plugin.optional(Pem),
      cert: Plugin.optional(Pem),
      key: Plugin.optional(Pem),
      rejectUnauthorized: Plugin.optional(Bool),
      servername: Plugin.optional(Host)
    })
  ),
  ...Network.deliveryFields,
  timeoutMs: Plugin.optional(
    Plugin.wholeNumber(1, 3_600_000, "milliseconds", "Time limit of a connection attempt and of one write.")
  )
}

/** The syslog sink's config. */
export const Config = Schema.Struct(fields).pipe(
  Schema.filter((config) => {
    if (config.tls !== undefined && config.protocol !== "tls")
      return { path: ["tls"], message: 'tls options are only read with protocol: "tls"' }
    if ((config.tls?.cert === undefined) !== (config.tls?.key === undefined))
      return { path: ["tls"], message: "cert and key go together (a client certificate needs its key)" }
    if (config.protocol === "udp" && config.framing !== undefined)
      return {
        path: ["framing"],
        message: "framing applies to tcp and tls; each UDP datagram is one message"
      }
    if (config.protocol === "udp" && (config.maxMessageBytes ?? 0) > 65_507)
      return {
        path: ["maxMessageBytes"],
        message: `${config.maxMessageBytes} is more than a UDP datagram carries (65507)`
      }
    return true
  })
)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded
