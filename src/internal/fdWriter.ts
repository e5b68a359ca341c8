import * as fs from "node:fs"

const sleeper = new Int32Array(new SharedArrayBuffer(4))
const EAGAIN_WAIT_MS = 1
const EAGAIN_GIVE_UP_MS = 5_000

/** Sleeps the thread for `ms` milliseconds (no event loop turn): for waits inside synchronous writes. */
export const sleepSync = (ms: number): void => {
  Atomics.wait(sleeper, 0, 0, ms)
}

/** How far a write got: set as bytes land, so that a caller catching the error knows. */
export interface WriteProgress {
  written: number
}

/**
 * Writes all of `data` (text, or bytes already encoded) to `fd` synchronously. Handles partial writes, and EAGAIN from a
 * non-blocking pipe by waiting briefly and retrying, for at most five seconds, after which
 * the error is thrown to the caller (the pipeline reports it as a sink failure). When the
 * write fails part way (a full disk), `progress.written` holds the bytes that landed.
 */
export const writeAllSync = (fd: number, data: string | Uint8Array, progress?: WriteProgress): void => {
  if (data.length === 0) return
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data
  let offset = 0
  let waitedMs = 0
  while (offset < buf.length) {
    try {
      offset += fs.writeSync(fd, buf, offset, buf.length - offset)
      if (progress !== undefined) progress.written = offset
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN" || waitedMs >= EAGAIN_GIVE_UP_MS) throw e
      sleepSync(EAGAIN_WAIT_MS)
      waitedMs += EAGAIN_WAIT_MS
    }
  }
}
