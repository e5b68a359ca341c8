/**
 * `npm create fapilog@latest`: reads the answers from the flags, asks on a terminal for the
 * ones not given (or takes the defaults with `--yes`), checks them, and writes the project.
 *
 * @since 0.1.0
 */
import * as path from "node:path"
import {
  type Answers,
  apis,
  defaults,
  effectMajors,
  httpFor,
  parseApi,
  parseEffect,
  parseHttp,
  parseName,
  parseRedaction,
  parseSinks,
  redactions,
  sinkChoices,
  UsageError
} from "./internal/answers.js"
import { parse, usage } from "./internal/args.js"
import { writeProject } from "./internal/project.js"
import { type Asker, makeAsker } from "./internal/prompt.js"
import { projectFiles } from "./internal/template.js"

/**
 * Where create-fapilog reads and writes: the working directory, the terminal (or not) and
 * the output streams.
 *
 * @since 0.1.0
 * @category models
 */
export interface Io {
  readonly cwd: string
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean | undefined }
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
}

/** The answers not given as flags: asked, or taken from the defaults. */
const complete = async (args: ReturnType<typeof parse>, io: Io, asker: () => Asker): Promise<Answers> => {
  const byDefault = defaults(
    args.directory === undefined ? undefined : path.basename(path.resolve(io.cwd, args.directory))
  )
  const missing = [
    args.name === undefined ? "--name" : undefined,
    args.api === undefined ? "--api" : undefined,
    args.effect === undefined ? "--effect" : undefined,
    args.http === undefined ? "--http" : undefined,
    args.sinks === undefined ? "--sinks" : undefined,
    args.redaction === undefined ? "--redaction" : undefined
  ].filter((flag) => flag !== undefined)
  if (args.yes || missing.length === 0) {
    const api = args.api ?? byDefault.api
    const effect = args.effect ?? byDefault.effect
    return {
      name: args.name ?? byDefault.name,
      api,
      effect,
      http: parseHttp(args.http ?? byDefault.http, api, effect),
      sinks: args.sinks ?? byDefault.sinks,
      redaction: args.redaction ?? byDefault.redaction
    }
  }
  if (io.stdin.isTTY !== true)
    throw new UsageError(
      `stdin is not a terminal, so the questions cannot be asked: give --yes (the defaults for what is not given) or ${missing.join(", ")}`
    )
  const ask = asker()
  try {
    const name =
      args.name ?? (await ask.ask({ text: "Service name", defaultValue: byDefault.name, check: parseName }))
    const api =
      args.api ??
      (await ask.ask({ text: "API", defaultValue: byDefault.api, accepted: apis, check: parseApi }))
    const effect =
      args.effect ??
      (await ask.ask({
        text: "Effect major version",
        defaultValue: String(byDefault.effect),
        accepted: effectMajors,
        check: parseEffect
      }))
    const fits = httpFor(api, effect)
    const http =
      args.http === undefined
        ? await ask.ask({
            text: "HTTP framework",
            defaultValue: "none",
            accepted: fits,
            check: (raw) => parseHttp(raw, api, effect)
          })
        : parseHttp(args.http, api, effect)
    const sinks =
      args.sinks ??
      (await ask.ask({
        text: "Sinks, a comma list",
        defaultValue: byDefault.sinks.join(","),
        accepted: sinkChoices,
        check: parseSinks
      }))
    const redaction =
      args.redaction ??
      (await ask.ask({
        text: "Redaction preset",
        defaultValue: byDefault.redaction,
        accepted: redactions,
        check: parseRedaction
      }))
    return { name, api, effect, http, sinks, redaction }
  } finally {
    ask.close()
  }
}

/**
 * Runs create-fapilog with the command-line arguments `argv` (without `node` and the script)
 * and returns the exit code: 0 when the project is written (or for `--help`), 2 for a usage
 * mistake (an unknown flag, a value that is not accepted, a non-empty directory without
 * `--force`), each explained on stderr with the flag and its accepted values.
 *
 * @example
 * ```sh
 * npm create fapilog@latest my-service -- --api promise --http express --sinks stdout,file --yes
 * # the same, as the package's bin: create-fapilog my-service --api promise ...
 * ```
 * @since 0.1.0
 * @category running
 */
export const run = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  try {
    const args = parse(argv)
    if (args.help) {
      io.stdout.write(usage)
      return 0
    }
    const answers = await complete(args, io, () => makeAsker(io.stdin, io.stdout))
    const directory = args.directory ?? answers.name
    const target = path.resolve(io.cwd, directory)
    writeProject(target, projectFiles(answers), { force: args.force })
    const shown = path.relative(io.cwd, target) || "."
    io.stdout.write(
      [
        `Wrote ${answers.name} in ${shown}: ${answers.api === "effect" ? "Effect API" : "Promise API"}, Effect ${answers.effect}, HTTP ${answers.http}, sinks ${answers.sinks.join(", ")}, redaction ${answers.redaction}.`,
        "",
        "Next:",
        ...(shown === "." ? [] : [`  cd ${shown}`]),
        "  npm install",
        "  npm start",
        ""
      ].join("\n")
    )
    return 0
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    io.stderr.write(`create-fapilog: ${e.message}\nRun create-fapilog --help for the options.\n`)
    return 2
  }
}
