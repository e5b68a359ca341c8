/**
 * `fapilog decrypt [files...] --keys <env:NAME | file:/path>`: restores lines whose fields (or
 * whole events) `@fapilog/encryption` encrypted, given the key ring; lines without envelopes
 * pass through unchanged. See docs/cli.md#fapilog-decrypt.
 */
import * as fs from "node:fs"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { problems, usage } from "../internal/failure.js"
import { eachLine, lineWriter } from "../internal/lines.js"
import { loadPlugin } from "../internal/optionalPlugin.js"

const files = Args.text({ name: "file" }).pipe(
  Args.withDescription("Files of log lines to read, in order; stdin when none is given."),
  Args.repeated
)

const keys = Options.text("keys").pipe(
  Options.withDescription(
    "The key ring: env:NAME (a variable holding id:hex,id:hex or the JSON form) or file:/path (JSON { keys: [{ id, key }] })."
  )
)

/** The encryption package's decrypting side, as far as this command uses it. */
interface Encryption {
  readonly KeyRing: { readonly load: (spec: string) => unknown }
  readonly decryptLine: (
    line: string,
    ring: never
  ) => {
    readonly line: string
    readonly restored: number
    readonly failures: ReadonlyArray<{ readonly path: string; readonly reason: string }>
  }
}

/** `fapilog decrypt`. */
export const decrypt = Command.make("decrypt", { files, keys }, (o) =>
  Effect.gen(function* () {
    const encryption = yield* loadPlugin<Encryption>(
      "@fapilog/encryption",
      () => import("@fapilog/encryption")
    )
    const ring = yield* Effect.try({
      try: () => encryption.KeyRing.load(o.keys) as never,
      catch: (e) => usage(`fapilog decrypt: ${(e as Error).message}`)
    })
    for (const file of o.files)
      yield* Effect.try({
        try: () => fs.accessSync(file, fs.constants.R_OK),
        catch: (e) => problems(`fapilog decrypt: cannot read ${file}: ${(e as Error).message}`)
      })
    const write = lineWriter(process.stdout)
    let n = 0
    let failed = 0
    const onLine = async (line: string) => {
      n++
      const out = encryption.decryptLine(line, ring)
      if (out.failures.length > 0) {
        failed++
        for (const f of out.failures) process.stderr.write(`line ${n}: ${f.path}: ${f.reason}\n`)
      }
      await write(out.line)
    }
    if (o.files.length === 0) yield* Effect.promise(() => eachLine(process.stdin, onLine))
    for (const file of o.files) yield* Effect.promise(() => eachLine(fs.createReadStream(file), onLine))
    if (failed > 0)
      return yield* problems(`fapilog decrypt: ${failed} line(s) could not be decrypted (left as they were)`)
  })
).pipe(
  Command.withDescription(
    "Restore lines encrypted by @fapilog/encryption with the key ring (old keys included); other lines pass through. Exit 0 all restored, 1 some could not be (each named on stderr, left as it was), 2 wrong use."
  )
)
