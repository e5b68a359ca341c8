/**
 * Serving the exposition: the answer to a scrape (shared by `Metrics.serve` and the HTTP
 * integrations' `/metrics` route), and a small node:http server of its own for apps without
 * one. Options are checked once, every problem named.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { ConfigError, type ConfigIssue, ServeError } from "../Errors.js"
import { contentType, render } from "./metricsText.js"

/** Where the exposition is served by default. */
export const defaultMetricsPath = "/metrics"

/** The answer to a request for the exposition. */
export interface ScrapeAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * GET (and HEAD: the same headers, and no body once a server sends it) gets the exposition of every live pipeline of the
 * process; any other method a 405 naming the allowed ones.
 */
export const answerScrape = (method: string | undefined): ScrapeAnswer => {
  if (method !== "GET" && method !== "HEAD")
    return {
      status: 405,
      headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
      body: "expected GET\n"
    }
  const text = render()
  return {
    status: 200,
    headers: {
      "content-type": contentType,
      "cache-control": "no-store",
      "content-length": String(Buffer.byteLength(text, "utf8"))
    },
    // Node's server sends no body for HEAD, whatever it is given
    body: text
  }
}

/** Checks the path of a metrics route; pushes an issue under `at` when it is not one. */
export const checkMetricsPath = (path: unknown, at: string, issues: Array<ConfigIssue>): string => {
  if (typeof path === "string" && /^\/[\x21-\x7e]*$/.test(path) && !path.includes("?") && !path.includes("#"))
    return path
  issues.push({
    path: at,
    message: `${JSON.stringify(path)} is not a path starting with / (no query, no spaces)`
  })
  return defaultMetricsPath
}

/** Options of {@link serve}. */
export interface ServeOptions {
  /** The TCP port; 0 picks a free one (read it from the server's `port`). */
  readonly port: number
  /** The address to listen on; default every address (Node's default), as scrapers come from elsewhere. */
  readonly host?: string | undefined
  /** Default `/metrics`. */
  readonly path?: string | undefined
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port it listens on (the one picked, for port 0). */
  readonly port: number
  /** Where to scrape it, e.g. `http://127.0.0.1:9464/metrics` (a wildcard host is shown as 127.0.0.1). */
  readonly url: string
  /** Stops listening and ends open connections; resolves once closed. Closing twice is harmless. */
  readonly close: () => Promise<void>
  readonly [Symbol.asyncDispose]: () => Promise<void>
}

interface Resolved {
  readonly port: number
  readonly host: string | undefined
  readonly path: string
}

const resolveServe = (options: ServeOptions | undefined, where: string): Resolved => {
  const issues: Array<ConfigIssue> = []
  const o = options ?? ({} as Partial<ServeOptions>)
  const port = o.port
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65_535)
    issues.push({ path: `${where}.port`, message: `${JSON.stringify(port)} is not a port from 0 to 65535` })
  const host = o.host
  if (host !== undefined && (typeof host !== "string" || host.trim() === ""))
    issues.push({ path: `${where}.host`, message: `${JSON.stringify(host)} is not a host name or address` })
  const path = checkMetricsPath(o.path ?? defaultMetricsPath, `${where}.path`, issues)
  if (issues.length > 0) throw new ConfigError({ issues })
  return { port: port as number, host, path }
}

const pathOnly = (url: string | undefined): string => {
  const u = url ?? "/"
  const q = u.indexOf("?")
  return q < 0 ? u : u.slice(0, q)
}

const shownHost = (host: string | undefined, address: AddressInfo): string => {
  const h = host ?? address.address
  if (h === "::" || h === "0.0.0.0" || h === "") return "127.0.0.1"
  return h.includes(":") ? `[${h}]` : h
}

/**
 * Serves the exposition on its own port. Rejects with a ConfigError for bad options, with
 * a ServeError when it cannot listen (the port is taken, say).
 */
export const serve = (options: ServeOptions): Promise<MetricsServer> => {
  let resolved: Resolved
  try {
    resolved = resolveServe(options, "Metrics.serve")
  } catch (e) {
    return Promise.reject(e)
  }
  const server = http.createServer((req, res) => {
    const answer =
      pathOnly(req.url) === resolved.path
        ? answerScrape(req.method)
        : { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "not found\n" }
    res.writeHead(answer.status, answer.headers)
    res.end(answer.body)
  })
  const address = `${resolved.host ?? "*"}:${resolved.port}`
  return new Promise<MetricsServer>((resolve, reject) => {
    const failed = (cause: Error): void => {
      reject(new ServeError({ address, cause }))
    }
    server.once("error", failed)
    server.listen(resolved.port, resolved.host, () => {
      server.off("error", failed)
      const info = server.address() as AddressInfo
      let closing: Promise<void> | undefined
      const close = (): Promise<void> =>
        (closing ??= new Promise<void>((done) => {
          server.close(() => done())
          server.closeAllConnections()
        }))
      resolve({
        port: info.port,
        url: `http://${shownHost(resolved.host, info)}:${info.port}${resolved.path}`,
        close,
        [Symbol.asyncDispose]: close
      })
    })
  })
}
