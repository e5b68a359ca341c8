/**
 * The `fapilog` command: its subcommands, composed here and nowhere else. A subcommand is one
 * file, `commands/<name>.ts`, exporting its `Command`; adding one is importing it and listing
 * it in `subcommands` below (see README.md#adding-a-command).
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import manifest from "../package.json" with { type: "json" }
import { config } from "./commands/config.js"
import { decrypt } from "./commands/decrypt.js"
import { plugins } from "./commands/plugins.js"
import { pretty } from "./commands/pretty.js"
import { verify } from "./commands/verify.js"
import { CliFailure } from "./internal/failure.js"

/** Every subcommand of `fapilog`, in the order `--help` lists them. */
const subcommands = [pretty, plugins, config, verify, decrypt] as const

/** The root command. */
export const command = Command.make("fapilog").pipe(
  Command.withDescription(
    "fapilog's command-line tool: readable logs, plugins, settings, audit trails and encrypted lines."
  ),
  Command.withSubcommands(subcommands)
)

const cli = Command.run(command, { name: "fapilog", version: manifest.version })

/**
 * Runs `fapilog` with `args` (without the node and script paths) and gives its exit code:
 * 0 success, 1 problems found, 2 wrong use (README.md#exit-codes).
 */
export const run = (args: ReadonlyArray<string>) =>
  cli(["node", "fapilog", ...args]).pipe(
    Effect.as(0),
    Effect.catchIf(ValidationError.isValidationError, () => Effect.succeed(2)),
    Effect.catchIf(
      (e): e is CliFailure => e instanceof CliFailure,
      (e) =>
        Effect.sync(() => {
          if (e.message !== "") process.stderr.write(`${e.message}\n`)
          return e.exitCode
        })
    )
  )
