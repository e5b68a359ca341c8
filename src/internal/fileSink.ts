/**
 * The sinks that write to the process's descriptors and to files: Node only, so apart from
 * sink.ts, whose sinks the browser build shares.
 */
import * as path from "node:path"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { SinkError } from "../Errors.js"
import type { Formatter } from "../Formatter.js"
import type { Batch, Sink } from "../Sink.js"
import { BatchImpl } from "./batch.js"
import { writeAllSync } from "./fdWriter.js"
import { json } from "./formatter.js"
import { isRetentionReport } from "./retentionReport.js"
import { PartialWrite, RotatingFile, type RotatingFileOptions } from "./rotatingFile.js"
import { type FormatOptions, makeSync } from "./sink.js"

/** The batch's lines as UTF-8 bytes: rendered straight into a buffer when the batch is ours. */
const bytesOf = (batch: Batch, formatter: Formatter): Uint8Array | string =>
  batch instanceof BatchImpl ? batch.bytes(formatter) : batch.text(formatter)

/** Writes each batch as text to an already-open descriptor it does not own. */
export const fdSink = (name: string, fd: number, options?: FormatOptions): Sink => {
  const formatter = options?.format ?? json
  return makeSync(name, (batch) => writeAllSync(fd, bytesOf(batch, formatter)))
}

export const stdout = (options?: FormatOptions): Sink => fdSink("stdout", 1, options)
export const stderr = (options?: FormatOptions): Sink => fdSink("stderr", 2, options)

export interface FileOptions extends FormatOptions, Omit<RotatingFileOptions, "onError"> {
  /** Permission bits for a newly created file. Default 0o640. */
  readonly mode?: number | undefined
}

/** The name of the file sink writing `file`: `file:` and its absolute path. */
export const fileSinkName = (file: string): string => `file:${path.resolve(file)}`

/**
 * Appends to a file (created 0640 with its parent directory, never through a symlink), with
 * optional rotation by size or time, retention and gzip (see RotatingFile). Opened on
 * acquire; on release the file is closed and background compression is given a bounded
 * time to finish. Background failures go to `onError` (the pipeline's diagnostics).
 *
 * A write that fails part way (a full disk) leaves the file ending with the last whole
 * event, and fails with a SinkError whose `written` counts the events in the file, so
 * that only the others go to the fallback.
 */
export const file = (
  options: FileOptions,
  onError?: (error: unknown) => void
): Effect.Effect<Sink, SinkError, Scope.Scope> => {
  const target = path.resolve(options.path)
  const name = fileSinkName(target)
  const formatter = options.format ?? json
  return Effect.acquireRelease(
    Effect.try({
      try: () => new RotatingFile({ ...options, path: target, onError }),
      catch: (cause) => new SinkError({ sink: name, reason: "cannot open file", cause })
    }),
    // release never fails: a close error (the disk went away) is reported, not thrown
    (f) =>
      Effect.sync(() => f.close()).pipe(
        Effect.zipRight(Effect.promise(() => f.settle())),
        Effect.timeoutOption(10_000),
        Effect.catchAllCause((cause) => Effect.sync(() => onError?.(Cause.squash(cause))))
      )
  ).pipe(
    Effect.map((f) =>
      makeSync(name, (batch) => {
        try {
          f.writeSync(
            bytesOf(batch, formatter),
            batch instanceof BatchImpl ? () => batch.byteEnds(formatter) : undefined,
            // retention reports never start a file: they would feed retention (retentionReport.ts)
            batch instanceof BatchImpl
              ? (i) => {
                  const r = batch.records[i]
                  return r !== undefined && isRetentionReport(r)
                }
              : undefined
          )
        } catch (e) {
          if (!(e instanceof PartialWrite)) throw e
          throw new SinkError({
            sink: name,
            reason: `write failed after ${e.units} of ${batch.size} events`,
            cause: e.cause,
            written: e.units
          })
        }
      })
    )
  )
}
