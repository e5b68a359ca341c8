/**
 * A small node:http client for adapter tests over real sockets: requests with any headers
 * (including values fetch would refuse), a keep-alive agent for concurrency, an aborting
 * request, and a wait for log lines that are written after the response went out.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { Logger } from "../../src/Logger.js"

export interface Reply {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export interface Call {
  readonly method?: string | undefined
  readonly path: string
  readonly headers?: http.OutgoingHttpHeaders | undefined
  readonly body?: string | undefined
  /** Send the headers first and the body this much later (it then arrives in its own packet). */
  readonly bodyDelayMs?: number | undefined
}

/** The port of a listening server. */
export const portOf = (server: { address(): AddressInfo | string | null }): number =>
  (server.address() as AddressInfo).port

export const send = (port: number, call: Call, agent?: http.Agent): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: call.method ?? "GET",
        path: call.path,
        headers: call.body === undefined ? call.headers : { "content-type": "text/plain", ...call.headers },
        agent: agent ?? false
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString()
          })
        )
        res.on("error", reject)
      }
    )
    req.on("error", reject)
    if (call.bodyDelayMs === undefined) req.end(call.body)
    else {
      req.flushHeaders()
      setTimeout(() => req.end(call.body), call.bodyDelayMs)
    }
  })

/** Sends a request and destroys the connection `afterMs` later, before any response. */
export const sendAndAbort = (
  port: number,
  path: string,
  headers: http.OutgoingHttpHeaders,
  afterMs: number
) =>
  new Promise<void>((resolve) => {
    const req = http.request({ host: "127.0.0.1", port, path, headers, agent: false })
    req.on("error", () => resolve())
    req.on("close", () => resolve())
    req.end()
    setTimeout(() => req.destroy(), afterMs)
  })

/** Runs `count` calls of `task`, at most `concurrency` at a time. */
export const runConcurrently = async <A>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<A>
): Promise<Array<A>> => {
  const results: Array<A> = new Array(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      results[i] = await task(i)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return results
}

/** Flushes until `ready()` holds (lines written on 'finish' can trail the response) or `ms` pass. */
export const settle = async (log: Logger, ready: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms
  for (;;) {
    await log.flush()
    if (ready() || Date.now() > deadline) return
    await new Promise((r) => setTimeout(r, 10))
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
