/**
 * Syslog transports: UDP datagrams (RFC 5426), TCP (RFC 6587) and TLS (RFC 5425), the stream
 * ones with octet-counting framing (`<length> <message>`, the default) or a line feed after
 * each message (`framing: "lf"`, the non-transparent framing of RFC 6587 3.4.2).
 *
 * A transport sends one request body: the messages of one batch, already framed (UDP and
 * octet-counting bodies are octet-counted; UDP splits them into one datagram per message).
 * A stream transport keeps one connection and opens it when a body is to be sent; a body is
 * taken once its bytes are handed to the socket (the write callback), and a connection that
 * the server ended (its FIN), reset or that failed is dropped before the next write, so that
 * a body is not written into a connection the server has closed. A write that is aborted
 * (the attempt's time limit) drops the connection too: a frame cut short must not be
 * followed by the next one on the same stream. Syslog over TCP has no acknowledgement from
 * the server: bytes the kernel took just before the server went away can still be lost
 * (RELP, not this sink, closes that gap).
 */
import * as dgram from "node:dgram"
import * as net from "node:net"
import * as tls from "node:tls"
import { bufferView } from "../../../shared/src/bodyBuffer.js"

export interface StreamOptions {
  readonly host: string
  readonly port: number
  readonly timeoutMs: number
  readonly tls?: tls.ConnectionOptions | undefined
}

export interface SyslogTransport {
  /** Resolves once the socket took the framed `body`; `signal` aborts the write (the connection is dropped). */
  readonly send: (body: Uint8Array, signal: AbortSignal) => Promise<void>
  readonly close: () => Promise<void>
}

/** The messages of an octet-counted body; throws (code `EBADFRAME`) on a body that is not one. */
export const unframeOctetCounted = (body: Uint8Array): Array<Buffer> => {
  const bytes = bufferView(body)
  const out: Array<Buffer> = []
  let i = 0
  while (i < bytes.length) {
    const space = bytes.indexOf(0x20, i)
    const length = space < 0 ? Number.NaN : Number(bytes.toString("ascii", i, space))
    if (!Number.isInteger(length) || length < 0 || space + 1 + length > bytes.length)
      throw Object.assign(new Error(`not an octet-counted frame at byte ${i}`), { code: "EBADFRAME" })
    out.push(bytes.subarray(space + 1, space + 1 + length))
    i = space + 1 + length
  }
  return out
}

const connect = (options: StreamOptions): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const socket =
      options.tls === undefined
        ? net.connect({ host: options.host, port: options.port })
        : tls.connect({ ...options.tls, host: options.host, port: options.port })
    const ready = options.tls === undefined ? "connect" : "secureConnect"
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no connection to ${options.host}:${options.port} within ${options.timeoutMs} ms`))
    }, options.timeoutMs)
    const failed = (e: Error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(e)
    }
    socket.once("error", failed)
    socket.once(ready, () => {
      clearTimeout(timer)
      socket.off("error", failed)
      socket.setKeepAlive(true, 30_000)
      socket.setNoDelay(true)
      resolve(socket)
    })
  })

/** A TCP or TLS transport over one connection, reopened as needed. */
export const stream = (options: StreamOptions): SyslogTransport => {
  let socket: net.Socket | undefined
  const drop = (s: net.Socket) => {
    if (socket === s) socket = undefined
    s.destroy()
  }
  const live = async (): Promise<net.Socket> => {
    if (socket !== undefined && !socket.destroyed && socket.writable && !socket.readableEnded) return socket
    if (socket !== undefined) drop(socket)
    const s = await connect(options)
    // the server never speaks: anything it sends is read and ignored; its end, a reset or
    // an error retire the connection before the next write
    s.on("data", () => {})
    s.on("end", () => drop(s))
    s.on("error", () => drop(s))
    s.on("close", () => drop(s))
    socket = s
    return s
  }
  return {
    send: async (body, signal) => {
      if (body.byteLength === 0) return
      signal.throwIfAborted()
      const s = await live()
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          s.off("close", closed)
          signal.removeEventListener("abort", aborted)
        }
        const closed = () => {
          done()
          reject(new Error("the connection closed during the write"))
        }
        const aborted = () => {
          done()
          drop(s)
          reject(signal.reason)
        }
        s.once("close", closed)
        signal.addEventListener("abort", aborted, { once: true })
        s.write(body, (e) => {
          done()
          if (e === undefined || e === null) resolve()
          else {
            drop(s)
            reject(e)
          }
        })
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        const s = socket
        socket = undefined
        if (s === undefined || s.destroyed) return resolve()
        const timer = setTimeout(() => {
          s.destroy()
          resolve()
        }, options.timeoutMs)
        s.end(() => {
          clearTimeout(timer)
          resolve()
        })
      })
  }
}

/** A UDP transport: one datagram per message of the octet-counted body. */
export const udp = (host: string, port: number): SyslogTransport => {
  const type = net.isIPv6(host) ? "udp6" : "udp4"
  const socket = dgram.createSocket(type)
  socket.on("error", () => {})
  socket.unref()
  const sendOne = (message: Buffer) =>
    new Promise<void>((resolve, reject) =>
      socket.send(message, port, host, (e) => (e === null || e === undefined ? resolve() : reject(e)))
    )
  return {
    send: async (body, signal) => {
      for (const m of unframeOctetCounted(body)) {
        signal.throwIfAborted()
        await sendOne(m)
      }
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve()))
  }
}
