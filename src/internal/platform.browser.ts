/**
 * The browser's and edge runtimes' counterpart of platform.ts, over web APIs only: the
 * browser build (tsup.config.ts) resolves `./platform.js` here. Same names and types as the
 * Node module (the check at the end says so).
 */
import type * as Self from "./platform.browser.js"
import type * as NodePlatform from "./platform.js"

export const name: "node" | "browser" = "browser"

export type ContextStore<A> = NodePlatform.ContextStore<A>

/**
 * Without AsyncLocalStorage the value is the one of the innermost `run` still on the call
 * stack: it reaches everything `fn` calls synchronously, not what runs after an `await` or in
 * a callback `fn` scheduled.
 */
export const makeContextStore = <A>(): ContextStore<A> => {
  let current: A | undefined
  return {
    run: (store, fn) => {
      const outer = current
      current = store
      try {
        return fn()
      } finally {
        current = outer
      }
    },
    getStore: () => current
  }
}

const pending = new Map<number, () => void>()
let nextId = 0
let channel: InstanceType<typeof MessageChannel> | undefined

/**
 * After the current task: a message to ourselves (a task of its own, not clamped like a
 * nested `setTimeout(0)`), or `setTimeout(0)` where there is no MessageChannel.
 */
export const setImmediate = (fn: () => void): unknown => {
  if (typeof MessageChannel === "undefined") return { timeout: setTimeout(fn, 0) }
  if (channel === undefined) {
    channel = new MessageChannel()
    // `onmessage` starts the port (addEventListener would not): typed loosely, as Node's
    // types know only the EventEmitter face of MessagePort
    ;(channel.port1 as unknown as { onmessage: (message: { readonly data: number }) => void }).onmessage = (
      message
    ) => {
      const run = pending.get(message.data)
      if (run === undefined) return
      pending.delete(message.data)
      run()
    }
  }
  const id = nextId++
  pending.set(id, fn)
  channel.port2.postMessage(id)
  return id
}

export const clearImmediate = (handle: unknown): void => {
  if (typeof handle === "number") pending.delete(handle)
  else if (typeof handle === "object" && handle !== null && "timeout" in handle)
    clearTimeout((handle as { readonly timeout: ReturnType<typeof setTimeout> }).timeout)
}

export const randomHex = (bytes: number): string => {
  const out = crypto.getRandomValues(new Uint8Array(bytes))
  let hex = ""
  for (const b of out) hex += b.toString(16).padStart(2, "0")
  return hex
}

/**
 * The web has no proxy test: every fields object is treated as one that might refuse to list
 * its keys, so capture "late" tries `Object.keys` on each (listableFields, capture.ts).
 */
export const isProxy = (_u: object): boolean => true

/** Diagnostics go to the console's error stream. */
export const writeStderr = (line: string): void => {
  console.error(line.endsWith("\n") ? line.slice(0, -1) : line)
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export const utf8Bytes = (text: string): Uint8Array => encoder.encode(text)

export const utf8Text = (bytes: Uint8Array): string => decoder.decode(bytes)

export const utf8Length = (text: string): number => {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
}

export type HttpPost = NodePlatform.HttpPost
export type HttpAnswer = NodePlatform.HttpAnswer

export const checkHeaders = (headers: Readonly<Record<string, string>>): void => {
  new Headers(headers)
}

/** The POST over fetch: redirects not followed, the answer read whole. */
export const httpPost = async (url: string, post: HttpPost): Promise<HttpAnswer> => {
  const response = await fetch(url, {
    method: "POST",
    body: post.body,
    headers: post.headers,
    redirect: "manual",
    ...(post.signal === undefined ? {} : { signal: post.signal }),
    ...(post.keepalive === true ? { keepalive: true } : {})
  })
  const text = await response.text()
  return { status: response.status, retryAfter: response.headers.get("retry-after"), text }
}

/** Strings kept as they come and encoded once, when the bytes are asked for. */
export class ByteBuffer {
  private readonly parts: Array<string> = []

  write(s: string): void {
    if (s.length > 0) this.parts.push(s)
  }

  result(): Uint8Array {
    return encoder.encode(this.parts.join(""))
  }
}

/**
 * A durable spool is a file: the browser build has none to give, so a network sink asked
 * for one fails to open with this reason (Network.make reports it as a SinkError).
 */
export const openSpool: typeof NodePlatform.openSpool = (options) => {
  throw new Error(
    `spool: the browser build of fapilog has no file system for a durable spool (directory ${JSON.stringify(options.directory)}); leave \`spool\` out`
  )
}

/** No process: the browser entry flushes on `pagehide` instead (browserBuild.ts). */
export const processEvents: typeof NodePlatform.processEvents = undefined

// the same face as the Node module, both ways
type Assert<T extends true> = T
type Face<M> = Omit<M, "ByteBuffer">
/** Fails to compile when this module and platform.ts stop offering the same names and types. */
export type SameFace = Assert<
  [Face<typeof Self>] extends [Face<typeof NodePlatform>]
    ? [keyof typeof NodePlatform] extends [keyof typeof Self]
      ? [typeof ByteBuffer] extends [
          new (initial: number) => Pick<NodePlatform.ByteBuffer, "write" | "result">
        ]
        ? true
        : false
      : false
    : false
>
