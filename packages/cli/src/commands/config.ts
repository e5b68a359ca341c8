/**
 * `fapilog config check [file]`: the settings of a config file and the `FAPILOG_*` environment,
 * checked by fapilog's own loader (`Settings.check`, what `createLogger` checks before it opens
 * anything), printed resolved with secrets masked, with every problem and its path. See
 * docs/cli.md#fapilog-config-check.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Settings } from "fapilog"
import { problems, usage } from "../internal/failure.js"

const file = Args.text({ name: "file" }).pipe(
  Args.withDescription("A YAML or JSON settings file (default: the file FAPILOG_CONFIG names, if any)."),
  Args.optional
)

const json = Options.boolean("json").pipe(
  Options.withDescription("Print { valid, settings, issues } as JSON instead of text.")
)

/** A value made printable: functions and plugin objects named, bigints as text. */
const printable = (value: unknown): string =>
  JSON.stringify(
    value,
    (_, v: unknown) =>
      typeof v === "function"
        ? `[function ${v.name || "anonymous"}]`
        : typeof v === "bigint"
          ? v.toString()
          : typeof v === "symbol"
            ? v.toString()
            : v,
    2
  ) ?? "undefined"

/** `fapilog config check`. */
export const check = Command.make("check", { file, json }, (o) =>
  Effect.gen(function* () {
    const given = Option.getOrUndefined(o.file)
    if (given !== undefined && !fs.existsSync(given))
      return yield* usage(`fapilog config check: ${given} does not exist`)
    const configFile = given === undefined ? undefined : path.resolve(given)
    const checked = yield* Settings.check(configFile === undefined ? {} : { configFile })
    // terminalFormat is derived for this terminal, not a setting
    const { terminalFormat: _, ...resolved } = checked.settings
    const shown = Settings.mask(resolved)
    const source = configFile ?? process.env.FAPILOG_CONFIG
    if (o.json)
      yield* Console.log(
        printable({ valid: checked.issues.length === 0, settings: shown, issues: checked.issues })
      )
    else {
      yield* Console.log(
        `${source === undefined ? "no config file" : `config file: ${source}`}; environment: ${
          Object.keys(process.env)
            .filter((k) => k.startsWith("FAPILOG_"))
            .sort()
            .join(", ") || "no FAPILOG_* variables"
        }`
      )
      yield* Console.log(`resolved settings (secrets masked):\n${printable(shown)}`)
      if (checked.issues.length === 0) yield* Console.log("settings are valid")
      else
        yield* Console.log(
          `${checked.issues.length} problem(s):\n${checked.issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`
        )
    }
    if (checked.issues.length > 0) return yield* problems("")
  })
).pipe(
  Command.withDescription(
    "Check a settings file and the FAPILOG_* environment with fapilog's loader: print the resolved settings (secrets masked) and every problem with its path. Exit 0 valid, 1 problems, 2 wrong use."
  )
)

/** The `config` command. */
export const config = Command.make("config").pipe(
  Command.withDescription("fapilog settings."),
  Command.withSubcommands([check])
)
