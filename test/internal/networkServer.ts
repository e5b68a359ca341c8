/**
 * A real HTTP receiver on 127.0.0.1 for network sink tests: records every request (each
 * attempt) and answers as the test says (a status with headers, or never).
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

export interface Received {
  readonly body: Buffer
  readonly headers: http.IncomingHttpHeaders
  readonly url: string
  readonly at: number
  /** What the receiver answered (undefined: it never answered). */
  readonly status: number | undefined
}

export type Answer =
  | {
      readonly status: number
      readonly headers?: Record<string, string> | undefined
      readonly body?: string | undefined
    }
  | "hang"

export interface Receiver {
  readonly url: string
  readonly port: number
  /** Every request received, in arrival order. */
  readonly requests: Array<Received>
  /** The requests answered 2xx. */
  readonly accepted: () => ReadonlyArray<Received>
  /** Stops listening and drops every connection (a hung request included). */
  readonly stop: () => Promise<void>
}

export interface ReceiverOptions {
  /** Answer for the n-th request (0-based). Default 200. */
  readonly answer?: ((request: Received, n: number) => Answer | Promise<Answer>) | undefined
  /** Listen on this port (0: any free port). */
  readonly port?: number | undefined
}

export const listen = (options: ReceiverOptions = {}): Promise<Receiver> =>
  new Promise((resolve, reject) => {
    const requests: Array<Received> = []
    const answer = options.answer ?? ((): Answer => ({ status: 200 }))
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const n = requests.length
        const partial = {
          body: Buffer.concat(chunks),
          headers: req.headers,
          url: req.url ?? "",
          at: Date.now()
        }
        const index = requests.push({ ...partial, status: undefined }) - 1
        void Promise.resolve(answer({ ...partial, status: undefined }, n)).then((a) => {
          if (a === "hang") return
          requests[index] = { ...partial, status: a.status }
          res.writeHead(a.status, a.headers)
          res.end(a.body ?? "")
        })
      })
    })
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      resolve({
        url: `http://127.0.0.1:${port}/ingest`,
        port,
        requests,
        accepted: () => requests.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300),
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

/** A receiver stopped when the scope closes. */
export const receiver = (options: ReceiverOptions = {}): Effect.Effect<Receiver, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => listen(options)),
    (r) => Effect.promise(() => r.stop())
  )

/** A port on which nothing listens (it was free a moment ago). */
export const freePort = (): Promise<number> =>
  listen().then(async (r) => {
    await r.stop()
    return r.port
  })
