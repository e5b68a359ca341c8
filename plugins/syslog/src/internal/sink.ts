import * as fs from "node:fs"
import * as os from "node:os"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Errors, type LogEvent, Network, type Plugin } from "fapilog"
import { transportFailure } from "../../../shared/src/transportFailure.js"
import { type Framing, MessagesWriter } from "./body.js"
import type { Config } from "./config.js"
import { facilities, type LineOptions } from "./format.js"
import { type SyslogTransport, stream, udp } from "./transport.js"

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

/** How a batch's messages are framed in the request body (UDP's are split again into datagrams). */
const framingOf = (config: Config): Framing =>
  config.protocol !== "udp" && config.framing === "lf" ? "lf" : "octet-counting"

const socketOf = (config: Config): SyslogTransport => {
  const protocol = config.protocol ?? defaults.protocol
  const port = config.port ?? defaults.port[protocol]
  if (protocol === "udp") return udp(config.host, port)
  const timeoutMs = config.timeoutMs ?? defaults.timeoutMs
  if (protocol === "tcp") return stream({ host: config.host, port, timeoutMs })
  const t = config.tls ?? {}
  return stream({
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
  })
}

/** The sink's name in diagnostics: `syslog:<protocol>://<host>:<port>`. */
export const nameOf = (config: Config): string => {
  const protocol = config.protocol ?? defaults.protocol
  return `syslog:${protocol}://${config.host}:${config.port ?? defaults.port[protocol]}`
}

/**
 * Failures no retry fixes: a datagram too large for the path, or a body UDP cannot split into
 * messages (spooled by a run that framed with line feeds over TCP).
 */
const isPermanent = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code
  return code === "EMSGSIZE" || code === "EBADFRAME"
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * Opens the syslog sink on the network foundation: events formatted and framed once per
 * request, the socket as its transport (a write error or a closed connection is retryable).
 */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const name = nameOf(config)
    const socket = yield* Effect.acquireRelease(
      Effect.try({
        try: () => socketOf(config),
        catch: (cause) => new Errors.SinkError({ sink: name, reason: "cannot read the TLS files", cause })
      }),
      (socket) =>
        Effect.tryPromise(() => socket.close()).pipe(
          Effect.timeoutOption(1000),
          Effect.catchAll((e) => Effect.sync(() => context.report("close failed", e)))
        )
    )
    const messages = new MessagesWriter(lineOptions(config, context), framingOf(config))
    const transport: Network.Transport = {
      send: (request) =>
        Effect.tryPromise({
          try: (signal) => socket.send(request.body, signal),
          catch: transportFailure(isPermanent, describe)
        })
    }
    return yield* Network.make({
      ...Network.optionsFromConfig(config),
      batch: { maxWaitMs: defaults.maxWaitMs, ...config.batch },
      name,
      transport,
      encode: (events: ReadonlyArray<LogEvent.LogEvent>) => ({
        body: messages.body(events),
        contentType: "application/syslog"
      }),
      report: context.report
    })
  })
