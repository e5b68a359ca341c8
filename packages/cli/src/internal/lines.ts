/**
 * Lines in, lines out for `fapilog pretty`: a stream read line by line (stdin, a file), and a
 * file followed like `tail -F`, across rotation (renamed away and created again) and
 * truncation. Output respects backpressure; a closed stdout (`| head`) ends the command quietly.
 */
import { once } from "node:events"
import * as fs from "node:fs"
import * as readline from "node:readline"
import { StringDecoder } from "node:string_decoder"

/** Writes lines to `stream`, waiting when its buffer is full. */
export const lineWriter =
  (stream: NodeJS.WritableStream) =>
  async (line: string): Promise<void> => {
    if (!stream.write(`${line}\n`)) await once(stream, "drain")
  }

/** Every line of `input` (the last one even without a final newline), in order. */
export const eachLine = async (
  input: NodeJS.ReadableStream,
  onLine: (line: string) => Promise<void>
): Promise<void> => {
  const lines = readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false })
  for await (const line of lines) await onLine(line)
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener("abort", done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener("abort", done)
  })

const statOrUndefined = (file: string): fs.Stats | undefined => {
  try {
    return fs.statSync(file)
  } catch {
    // between a rename and the new file's creation
    return undefined
  }
}

const openOrUndefined = (file: string): number | undefined => {
  try {
    return fs.openSync(file, "r")
  } catch {
    return undefined
  }
}

/** How often a followed file is looked at once its end is reached. */
export const followIntervalMs = 100

/**
 * Prints `file` from its start, then what is appended to it, until `signal` aborts. When the
 * path names another file (rotated: renamed away, then created again), the rest of the old one
 * is read and the new one followed from its start; when the file shrinks (truncated), it is
 * read again from its start. A file that does not exist yet is waited for.
 */
export const follow = async (
  file: string,
  onLine: (line: string) => Promise<void>,
  signal: AbortSignal,
  intervalMs: number = followIntervalMs
): Promise<void> => {
  const buffer = Buffer.alloc(64 * 1024)
  let fd: number | undefined
  let position = 0
  let decoder = new StringDecoder("utf8")
  let carry = ""
  const emit = async (chunk: string) => {
    carry += chunk
    let nl = carry.indexOf("\n")
    while (nl >= 0) {
      await onLine(carry.slice(0, nl).replace(/\r$/, ""))
      carry = carry.slice(nl + 1)
      nl = carry.indexOf("\n")
    }
  }
  /** Reads from `position` to the current end. */
  const drain = async (from: number) => {
    for (;;) {
      const n = fs.readSync(from, buffer, 0, buffer.length, position)
      if (n === 0) return
      position += n
      await emit(decoder.write(buffer.subarray(0, n)))
    }
  }
  /** The old file's last line, complete or not, before another file is read. */
  const endOfFile = async () => {
    const last = carry + decoder.end()
    carry = ""
    decoder = new StringDecoder("utf8")
    if (last !== "") await onLine(last)
  }
  try {
    while (!signal.aborted) {
      if (fd === undefined) {
        fd = openOrUndefined(file)
        position = 0
        if (fd === undefined) {
          await sleep(intervalMs, signal)
          continue
        }
      }
      await drain(fd)
      const now = statOrUndefined(file)
      const open = fs.fstatSync(fd)
      if (now !== undefined && (now.ino !== open.ino || now.dev !== open.dev)) {
        // rotated: what was written to the old file before the switch comes first
        await drain(fd)
        await endOfFile()
        fs.closeSync(fd)
        fd = undefined
        continue
      }
      if (open.size < position) {
        // truncated in place: start again from its (new) beginning
        position = 0
        carry = ""
        decoder = new StringDecoder("utf8")
        continue
      }
      await sleep(intervalMs, signal)
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
