import * as fs from "node:fs"
import * as os from "node:os"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Errors, type LogEvent, type Plugin, type Sink } from "fapilog"
import { deliveryOptions } from "../../../shared/src/streamConfig.js"
import * as Delivery from "../../../shared/src/streamDelivery.js"
import type { Config } from "./config.js"
import { facilities, type LineOptions, makeFormatter } from "./format.js"
import { lineFramed, type Messages, octetCounted, type SyslogTransport, stream, udp } from "./transport.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  protocol: "tcp" as const,
  rfc: "5424" as const,
  facility: "user" as const,
  port: { udp: 514, tcp: 514, tls: 6514 },
  /** RFC 3164 4.1; RFC 5426 3.2 (2048 for UDP); RFC 5425 4.3.1 and rsyslog's default (8192). */
  maxMessageBytes: { "3164": 1024, udp: 2048, stream: 8192 },
  timeoutMs: 10_000,
  maxWaitMs: 200,
  sdId: "fields@32473"
})

/** The formatter's options from the config and the plugin context, defaults applied. */
export const lineOptions = (
  config: Config,
  context: Pick<Plugin.Context, "service" | "logger">
): LineOptions => {
  const rfc = String(config.rfc ?? defaults.rfc) as "5424" | "3164"
  const protocol = config.protocol ?? defaults.protocol
  const facility = config.facility ?? defaults.facility
  return {
    rfc,
    facility: typeof facility === "number" ? facility : facilities[facility],
    severity: config.severity ?? {},
    hostname: config.hostname ?? os.hostname(),
    appName: config.appName ?? context.service ?? context.logger,
    procId: String(config.procId ?? process.pid),
    msgId: config.msgId,
    msgIdKey: config.msgIdKey,
    structuredData:
      config.structuredData === undefined
        ? undefined
        : { id: config.structuredData.id ?? defaults.sdId, keys: config.structuredData.keys },
    message: config.message ?? "json",
    bom: config.bom ?? true,
    maxMessageBytes:
      config.maxMessageBytes ??
      (rfc === "3164"
        ? defaults.maxMessageBytes["3164"]
        : protocol === "udp"
          ? defaults.maxMessageBytes.udp
          : defaults.maxMessageBytes.stream)
  }
}

/** PEM text as is, else the file it names. */
const pem = (value: string): string =>
  value.trimStart().startsWith("-----BEGIN") ? value : fs.readFileSync(value, "utf8")

const transportOf = (config: Config): SyslogTransport => {
  const protocol = config.protocol ?? defaults.protocol
  const port = config.port ?? defaults.port[protocol]
  if (protocol === "udp") return udp(config.host, port)
  const frame = config.framing === "lf" ? lineFramed : octetCounted
  const timeoutMs = config.timeoutMs ?? defaults.timeoutMs
  if (protocol === "tcp") return stream({ host: config.host, port, timeoutMs }, frame)
  const t = config.tls ?? {}
  return stream(
    {
      host: config.host,
      port,
      timeoutMs,
      tls: {
        ...(t.ca === undefined ? {} : { ca: pem(t.ca) }),
        ...(t.cert === undefined ? {} : { cert: pem(t.cert) }),
        ...(t.key === undefined ? {} : { key: pem(t.key) }),
        rejectUnauthorized: t.rejectUnauthorized ?? true,
        // SNI takes a name, not an address
        ...(t.servername !== undefined
          ? { servername: t.servername }
          : /^[\d.]+$|:/.test(config.host)
            ? {}
            : { servername: config.host })
      }
    },
    frame
  )
}

/** The sink's name in diagnostics: `syslog:<protocol>://<host>:<port>`. */
export const nameOf = (config: Config): string => {
  const protocol = config.protocol ?? defaults.protocol
  return `syslog:${protocol}://${config.host}:${config.port ?? defaults.port[protocol]}`
}

/** Opens the syslog sink: events formatted once per batch, delivered by the stream delivery. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Sink.Sink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const name = nameOf(config)
    const transport = yield* Effect.try({
      try: () => transportOf(config),
      catch: (cause) => new Errors.SinkError({ sink: name, reason: "cannot read the TLS files", cause })
    })
    const format = makeFormatter(lineOptions(config, context))
    const delivery: Delivery.Transport<Messages> = {
      encode: (events: ReadonlyArray<LogEvent.LogEvent>) => events.map(format),
      send: transport.send,
      // a datagram too large for the path will never go
      permanent: (e) => (e as { code?: unknown } | null)?.code === "EMSGSIZE",
      close: transport.close
    }
    return yield* Delivery.make(delivery, {
      maxWaitMs: defaults.maxWaitMs,
      ...deliveryOptions(config),
      name,
      report: context.report
    })
  })
