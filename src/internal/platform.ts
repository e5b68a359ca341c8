/**
 * The few services of the runtime that the shared pipeline needs, Node's here. The browser
 * build of fapilog (`src/Browser.ts`, tsup.config.ts) resolves this module to
 * `platform.browser.ts`, which gives the same names over web APIs, so that the modules both
 * builds share import no Node built-in. Everything else that only Node can do (files, the
 * standard streams, plugins loaded by name, settings from the environment or a file, the
 * spool) stays in modules the browser entry never imports.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import { clearImmediate as clearNodeImmediate, setImmediate as setNodeImmediate } from "node:timers"
import { types } from "node:util"
import { defaultSpoolMaxBytes, Spool, type SpoolOptions } from "./spool.js"

/** Which build this is: "node" here, "browser" in platform.browser.ts. */
export const name: "node" | "browser" = "node"

/** A value carried by the current call and everything it starts (`withContext`). */
export interface ContextStore<A> {
  readonly run: <R>(store: A | undefined, fn: () => R) => R
  readonly getStore: () => A | undefined
}

/** Node's AsyncLocalStorage: the value follows callbacks, promises and timers. */
export const makeContextStore = <A>(): ContextStore<A> => {
  const storage = new AsyncLocalStorage<A | undefined>()
  return { run: (store, fn) => storage.run(store, fn), getStore: () => storage.getStore() }
}

/** Runs `fn` after the current turn of the event loop (Node's own, which fake timers do not replace). */
export const setImmediate = (fn: () => void): unknown => setNodeImmediate(fn)

/** Cancels what {@link setImmediate} scheduled. */
export const clearImmediate = (handle: unknown): void => {
  clearNodeImmediate(handle as ReturnType<typeof setNodeImmediate>)
}

/** `bytes` random bytes as lowercase hex. */
export const randomHex = (bytes: number): string => randomBytes(bytes).toString("hex")

/** Whether `u` is a proxy (which alone can refuse to list its keys). */
export const isProxy = (u: object): boolean => types.isProxy(u)

/** Writes a diagnostic line to the process's standard error, synchronously. */
export const writeStderr = (line: string): void => {
  fs.writeSync(2, line)
}

/** UTF-8 bytes of `text`. */
export const utf8Bytes = (text: string): Uint8Array => Buffer.from(text, "utf8")

/** The text of UTF-8 `bytes`. */
export const utf8Text = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")

/** The UTF-8 length of `text` in bytes. */
export const utf8Length = (text: string): number => Buffer.byteLength(text, "utf8")

/** One HTTP POST: its body, headers and the signal that abandons it. */
export interface HttpPost {
  readonly body: Uint8Array | string
  readonly headers: Readonly<Record<string, string>>
  readonly signal?: AbortSignal | undefined
  /** Browsers: let the request outlive the page that sent it (fetch's `keepalive`). Ignored by Node. */
  readonly keepalive?: boolean | undefined
}

/** The answer to an HTTP POST, read whole. */
export interface HttpAnswer {
  readonly status: number
  /** The `Retry-After` header, or null. */
  readonly retryAfter: string | null
  readonly text: string
}

/** Throws when the HTTP client would refuse `headers` (a bad name, a line break in a value). */
export const checkHeaders = (headers: Readonly<Record<string, string>>): void => {
  for (const [name, value] of Object.entries(headers)) {
    http.validateHeaderName(name)
    http.validateHeaderValue(name, value)
  }
}

/**
 * POSTs to an http: or https: `url` with Node's own client (its global agents, which keep
 * connections alive), never following a redirect, and reads the answer whole: it frees the
 * connection, and an error's body explains it. Node's client sends the body as it is given;
 * fetch (undici) copies a byte body twice before writing it, which costs a busy network sink
 * a fifth of its CPU.
 */
export const httpPost = (url: string, post: HttpPost): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    let settled = false
    const fail = (e: unknown) => {
      if (settled) return
      settled = true
      reject(e)
    }
    try {
      const target = new URL(url)
      const client = target.protocol === "https:" ? https : target.protocol === "http:" ? http : undefined
      if (client === undefined) throw new Error(`url must be http: or https:, not ${target.protocol}`)
      const body = typeof post.body === "string" ? Buffer.from(post.body, "utf8") : post.body
      const request = client.request(
        target,
        {
          method: "POST",
          headers: { ...post.headers, "content-length": String(body.byteLength) },
          ...(post.signal === undefined ? {} : { signal: post.signal })
        },
        (response) => {
          const chunks: Array<Buffer> = []
          response.on("data", (chunk: Buffer) => chunks.push(chunk))
          response.on("error", fail)
          response.on("end", () => {
            if (settled) return
            settled = true
            const retryAfter = response.headers["retry-after"]
            resolve({
              status: response.statusCode ?? 0,
              retryAfter: typeof retryAfter === "string" ? retryAfter : null,
              text: Buffer.concat(chunks).toString("utf8")
            })
          })
          // a connection closed before the answer's end: no answer at all
          response.on("close", () => fail(new Error("the connection closed before the whole answer came")))
        }
      )
      request.on("error", fail)
      request.end(body)
    } catch (e) {
      // a malformed url, or a header Node refuses
      fail(e)
    }
  })

/** A growable byte buffer that strings are UTF-8 encoded into. */
export class ByteBuffer {
  private buf: Buffer
  private length = 0

  constructor(initial: number) {
    // small batches come from Node's shared pool (under 4 KiB), larger ones get their own buffer
    this.buf = Buffer.allocUnsafe(Math.max(256, initial))
  }

  write(s: string): void {
    if (s.length === 0) return
    // room for the worst case, three bytes per UTF-16 unit
    const need = this.length + s.length * 3
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2))
      this.buf.copy(grown, 0, 0, this.length)
      this.buf = grown
    }
    this.length += this.buf.write(s, this.length, "utf8")
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.length)
  }
}

/**
 * The process's `exit` and `uncaughtExceptionMonitor` events (exitHook.ts); the browser has
 * no process, and its entry flushes on `pagehide` instead.
 */
export const processEvents:
  | {
      readonly on: (
        event: "exit" | "uncaughtExceptionMonitor",
        listener: (...args: Array<never>) => void
      ) => void
      readonly off: (
        event: "exit" | "uncaughtExceptionMonitor",
        listener: (...args: Array<never>) => void
      ) => void
    }
  | undefined = {
  on: (event, listener) => {
    process.on(event as "exit", listener as () => void)
  },
  off: (event, listener) => {
    process.off(event as "exit", listener as () => void)
  }
}

/** Opens a network sink's durable spool (spool.ts), 64 MiB at most unless `maxBytes` says. */
export const openSpool = (
  options: Omit<SpoolOptions, "maxBytes"> & { readonly maxBytes?: number | undefined }
): Spool => Spool.open({ ...options, maxBytes: options.maxBytes ?? defaultSpoolMaxBytes })
