/**
 * `fapilog verify <trail> --key <hex | env:NAME>`: checks a tamper-evident audit trail written
 * by `@fapilog/audit` (a directory, or a PostgreSQL connection string) with its verifier, and
 * prints OK or the first broken record and why. See docs/cli.md#fapilog-verify.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { problems, usage } from "../internal/failure.js"
import { loadPlugin } from "../internal/optionalPlugin.js"

const trail = Args.text({ name: "trail" }).pipe(
  Args.withDescription("The trail's directory (the sink's `path`), or a postgres:// connection string.")
)

const key = Options.text("key").pipe(
  Options.withDescription("The trail's key: hex of at least 32 bytes, or env:NAME for a variable holding it.")
)

const table = Options.text("table").pipe(
  Options.withDescription("With a connection string: the trail's table (default: the sink's)."),
  Options.optional
)

/** The audit package's verifier, as far as this command uses it. */
interface Audit {
  readonly verifyTrail: (
    source: string | { readonly postgres: { readonly connectionString: string; readonly table?: string } },
    options: { readonly key: string }
  ) => Promise<unknown>
  readonly formatReport: (report: never) => { readonly text: string; readonly exitCode: 0 | 1 }
}

const isPostgres = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s)

/** `fapilog verify`. */
export const verify = Command.make("verify", { trail, key, table }, (o) =>
  Effect.gen(function* () {
    const audit = yield* loadPlugin<Audit>("@fapilog/audit", () => import("@fapilog/audit"))
    const t = Option.getOrUndefined(o.table)
    if (t !== undefined && !isPostgres(o.trail))
      return yield* usage("fapilog verify: --table goes with a postgres:// connection string")
    const source = isPostgres(o.trail)
      ? { postgres: { connectionString: o.trail, ...(t === undefined ? {} : { table: t }) } }
      : o.trail
    const report = yield* Effect.tryPromise({
      try: () => audit.verifyTrail(source, { key: o.key }),
      // a bad key, a path that is no directory, a missing table: the command was given them
      catch: (e) =>
        e instanceof RangeError
          ? usage(`fapilog verify: ${e.message}`)
          : problems(`fapilog verify: ${String(e)}`)
    })
    const { text, exitCode } = audit.formatReport(report as never)
    yield* Console.log(text)
    if (exitCode !== 0) return yield* problems("")
  })
).pipe(
  Command.withDescription(
    "Verify an audit trail written by @fapilog/audit: exit 0 and OK, or exit 1 naming the first broken record and why (edit, deletion, insertion, reordering, truncation, a replaced or removed segment); 2 for wrong use."
  )
)
