/**
 * `fapilog pretty [files...]`: log lines made readable, like pino-pretty. Reads stdin, or the
 * files in order; with `--follow`, follows each file across rotation and truncation until
 * interrupted. See docs/cli.md#fapilog-pretty.
 */
import * as fs from "node:fs"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Formatter, Level } from "fapilog"
import { type CliFailure, problems, usage } from "../internal/failure.js"
import { eachLine, follow, lineWriter } from "../internal/lines.js"
import { makeRenderer } from "../internal/prettyLine.js"

const files = Args.text({ name: "file" }).pipe(
  Args.withDescription("Files of log lines to read, in order; stdin when none is given."),
  Args.repeated
)

const level = Options.choice("level", Level.all).pipe(
  Options.withAlias("l"),
  Options.withDescription(
    "Print only events at this level or above (lines that are not events always print)."
  ),
  Options.optional
)

const colour = Options.boolean("colour", { aliases: ["color"] }).pipe(
  Options.withDescription("Colour the output even when stdout is not a terminal.")
)

const noColour = Options.boolean("no-colour", { aliases: ["no-color"] }).pipe(
  Options.withDescription(
    "Never colour the output. Without either flag: colours on a terminal, unless NO_COLOR is set (FORCE_COLOR wins)."
  )
)

const followFiles = Options.boolean("follow").pipe(
  Options.withAlias("f"),
  Options.withDescription(
    "Keep reading each file as it grows, across rotation (renamed and created again) and truncation, until interrupted."
  )
)

/** A list option: repeatable, each value may also hold several names separated by commas. */
const names = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.repeated,
    Options.map((values) =>
      values
        .flatMap((v) => v.split(","))
        .map((v) => v.trim())
        .filter((v) => v !== "")
    )
  )

const include = names("include", "Print only these user fields (repeat, or separate with commas).")
const exclude = names("exclude", "Do not print these user fields (repeat, or separate with commas).")

const messageKey = Options.text("message-key").pipe(
  Options.withDescription("The key holding the message (default: found among message, msg, Body, text)."),
  Options.optional
)

const levelKey = Options.text("level-key").pipe(
  Options.withDescription(
    "The key holding the level (default: found among level, severity, status, lvl, log.level)."
  ),
  Options.optional
)

const multiline = Options.boolean("multiline").pipe(
  Options.withDescription(
    "Print error stack frames on continuation lines instead of joining them on one line."
  )
)

const readable = (file: string): Effect.Effect<void, CliFailure> =>
  Effect.try({
    try: () => fs.accessSync(file, fs.constants.R_OK),
    catch: (e) => problems(`fapilog pretty: cannot read ${file}: ${(e as Error).message}`)
  })

/** The `pretty` command. */
export const pretty = Command.make(
  "pretty",
  { files, level, colour, noColour, follow: followFiles, include, exclude, messageKey, levelKey, multiline },
  (o) =>
    Effect.gen(function* () {
      if (o.colour && o.noColour)
        return yield* usage("fapilog pretty: give --colour or --no-colour, not both")
      if (o.follow && o.files.length === 0)
        return yield* usage("fapilog pretty: --follow needs a file (stdin is read to its end anyway)")
      const render = makeRenderer({
        colors: o.colour ? true : o.noColour ? false : Formatter.shouldColor(process.stdout, process.env),
        minLevel: Option.getOrUndefined(o.level),
        include: o.include,
        exclude: o.exclude,
        messageKey: Option.getOrUndefined(o.messageKey),
        levelKey: Option.getOrUndefined(o.levelKey),
        multiline: o.multiline
      })
      const write = lineWriter(process.stdout)
      const onLine = (line: string) => {
        const out = render(line)
        return out === undefined ? Promise.resolve() : write(out)
      }
      if (o.files.length === 0) return yield* Effect.promise(() => eachLine(process.stdin, onLine))
      if (o.follow)
        return yield* Effect.forEach(
          o.files,
          (file) => Effect.promise((signal) => follow(file, onLine, signal)),
          { concurrency: "unbounded", discard: true }
        )
      for (const file of o.files) {
        yield* readable(file)
        yield* Effect.promise(() => eachLine(fs.createReadStream(file), onLine))
      }
    })
).pipe(
  Command.withDescription(
    "Print JSON log lines (fapilog's JSON with any key names, ECS, OpenTelemetry, pino) readably; other lines pass through unchanged."
  )
)
