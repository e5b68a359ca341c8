/**
 * The stream a NATS sink publishes into, when the settings name one: created when missing
 * (capturing the sink's subject, with the duplicate window that bounds de-duplication), and
 * when present, checked to capture the subject; the sink never changes a stream it finds.
 */
import { JetStreamApiError, type JetStreamManager, StorageType } from "@nats-io/jetstream"
import { nanos } from "@nats-io/transport-node"

/** Whether `subject` falls under `pattern` (NATS wildcards: `*` one token, `>` one or more). */
export const subjectMatches = (pattern: string, subject: string): boolean => {
  const p = pattern.split(".")
  const s = subject.split(".")
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i
    if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false
  }
  return p.length === s.length
}

/** A stream that exists and cannot take the sink's messages: no retry changes that. */
export class StreamMismatch extends Error {
  readonly _tag = "StreamMismatch"
}

export interface StreamOptions {
  readonly stream: string
  readonly subject: string
  readonly create: boolean
  readonly storage: "file" | "memory"
  readonly duplicateWindowMs: number
}

const STREAM_NOT_FOUND = 10059
const STREAM_NAME_IN_USE = 10058

const check = (subjects: ReadonlyArray<string> | undefined, o: StreamOptions): void => {
  if (!(subjects ?? []).some((pattern) => subjectMatches(pattern, o.subject)))
    throw new StreamMismatch(
      `stream ${o.stream} does not capture subject ${o.subject} (its subjects: ${(subjects ?? []).join(", ") || "none"})`
    )
}

/** Creates the stream when missing (if allowed), or checks the one there. */
export const ensureStream = async (jsm: JetStreamManager, o: StreamOptions): Promise<void> => {
  try {
    const info = await jsm.streams.info(o.stream)
    return check(info.config.subjects, o)
  } catch (e) {
    if (!(e instanceof JetStreamApiError && e.code === STREAM_NOT_FOUND)) throw e
  }
  // missing and not ours to create: retried, in case it is made by its owner meanwhile
  if (!o.create) throw new Error(`stream ${o.stream} does not exist (and createStream is false)`)
  try {
    await jsm.streams.add({
      name: o.stream,
      subjects: [o.subject],
      storage: o.storage === "memory" ? StorageType.Memory : StorageType.File,
      duplicate_window: nanos(o.duplicateWindowMs)
    })
  } catch (e) {
    // made by another process in between: check that one
    if (!(e instanceof JetStreamApiError && e.code === STREAM_NAME_IN_USE)) throw e
    check((await jsm.streams.info(o.stream)).config.subjects, o)
  }
}
