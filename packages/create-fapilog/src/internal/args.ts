/**
 * create-fapilog's command line: `[directory] [--name ...] [--api ...] [--effect ...]
 * [--http ...] [--sinks ...] [--redaction ...] [--yes] [--force] [--help]`, read with
 * `node:util`'s `parseArgs`. Each answer given as a flag is checked here (answers.ts); the
 * HTTP integration is checked once the API and Effect major it depends on are known.
 */
import { parseArgs } from "node:util"
import {
  type Api,
  apis,
  type EffectMajor,
  effectMajors,
  httpChoices,
  parseApi,
  parseEffect,
  parseName,
  parseRedaction,
  parseSinks,
  type Redaction,
  redactions,
  type SinkChoice,
  sinkChoices,
  UsageError
} from "./answers.js"

/** What the command line says: the answers it gives (the HTTP integration still raw) and the switches. */
export interface Args {
  readonly directory: string | undefined
  readonly name: string | undefined
  readonly api: Api | undefined
  readonly effect: EffectMajor | undefined
  /** Checked against the API and Effect major once they are known. */
  readonly http: string | undefined
  readonly sinks: ReadonlyArray<SinkChoice> | undefined
  readonly redaction: Redaction | undefined
  readonly yes: boolean
  readonly force: boolean
  readonly help: boolean
}

const options = {
  name: { type: "string" },
  api: { type: "string" },
  effect: { type: "string" },
  http: { type: "string" },
  sinks: { type: "string" },
  redaction: { type: "string" },
  yes: { type: "boolean", short: "y" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

/** The usage text of `--help` and of every usage error. */
export const usage = `Usage: npm create fapilog@latest [directory] -- [options]
       create-fapilog [directory] [options]

Writes a TypeScript project that logs with fapilog. Without --yes, asks for every answer
not given as a flag (stdin must be a terminal).

  --name <name>            service name: the package name and the logger's name
  --api <api>              ${apis.join(" | ")}
  --effect <major>         ${effectMajors.join(" | ")} (fapilog or fapilog-effect4)
  --http <integration>     ${httpChoices.join(" | ")}
                           (platform: Effect 3; effect-http: Effect 4; express, fastify: --api promise)
  --sinks <list>           a comma list of ${sinkChoices.join(", ")}
  --redaction <preset>     ${redactions.join(" | ")}
  -y, --yes                take the defaults for every answer not given
                           (effect, 3, none, stdout, secrets; the directory's name)
  --force                  write into a directory that is not empty
  -h, --help               this text
`

const flags = Object.keys(options).map((key) => `--${key}`)

/** Reads the command line; a mistake is a {@link UsageError} naming the flag. */
export const parse = (argv: ReadonlyArray<string>): Args => {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (e) {
    const code = (e as { readonly code?: unknown }).code
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const flag = /'([^']+)'/.exec((e as Error).message)?.[1] ?? "an option"
      throw new UsageError(`${flag} is not an option; accepted: ${flags.join(", ")}`)
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      // "Option '--name <value>' argument missing", "Option '-y, --yes' does not take an argument"
      const flag = /(--[a-z]+)/.exec((e as Error).message)?.[1]
      throw new UsageError(
        flag !== undefined && flag in { "--yes": 1, "--force": 1, "--help": 1 }
          ? `${flag} takes no value`
          : `${flag ?? "an option"} needs a value`
      )
    }
    throw e
  }
  const { values, positionals } = parsed
  if (positionals.length > 1)
    throw new UsageError(
      `[directory]: one target directory is accepted, ${positionals.length} were given (${positionals.join(", ")})`
    )
  const given = <A>(value: string | undefined, check: (raw: string) => A): A | undefined =>
    value === undefined ? undefined : check(value)
  return {
    directory: positionals[0],
    name: given(values.name, parseName),
    api: given(values.api, parseApi),
    effect: given(values.effect, parseEffect),
    http: values.http,
    sinks: given(values.sinks, parseSinks),
    redaction: given(values.redaction, parseRedaction),
    yes: values.yes === true,
    force: values.force === true,
    help: values.help === true
  }
}

export { UsageError }
