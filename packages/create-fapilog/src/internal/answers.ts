/**
 * What a generated project is made of: the answers to create-fapilog's questions, their
 * accepted values and defaults, and the checks that turn a raw answer (from a flag or a
 * prompt) into a valid one or a {@link UsageError} naming the flag and what it accepts.
 */

/** The API the project logs through: Effect (a layer, `Effect.log`) or Promise (`createLogger`). */
export const apis = ["effect", "promise"] as const
export type Api = (typeof apis)[number]

/** The Effect major version: 3 (`fapilog`) or 4 (`fapilog-effect4`). */
export const effectMajors = ["3", "4"] as const
export type EffectMajor = 3 | 4

/**
 * The HTTP integration: none, `@effect/platform` (Effect 3), `effect/http` (Effect 4),
 * Express or Fastify (the Promise API, on either line).
 */
export const httpChoices = ["none", "platform", "effect-http", "express", "fastify"] as const
export type HttpChoice = (typeof httpChoices)[number]

/** The built-in sinks a project can start with: streams and a rotated file. */
export const sinkChoices = ["stdout", "stderr", "file"] as const
export type SinkChoice = (typeof sinkChoices)[number]

/**
 * The redaction preset: `none`; `secrets`, the common secret key names the `production`
 * preset redacts; `hardened`, the `hardened` preset's redaction (the same keys, fail-closed).
 */
export const redactions = ["none", "secrets", "hardened"] as const
export type Redaction = (typeof redactions)[number]

/** Every answer of a generated project. */
export interface Answers {
  readonly name: string
  readonly api: Api
  readonly effect: EffectMajor
  readonly http: HttpChoice
  readonly sinks: ReadonlyArray<SinkChoice>
  readonly redaction: Redaction
}

/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

const list = (values: ReadonlyArray<string>): string => values.join(", ")

const oneOf = <A extends string>(flag: string, values: ReadonlyArray<A>, raw: string): A => {
  const value = raw.trim().toLowerCase()
  const found = values.find((v) => v === value)
  if (found === undefined)
    throw new UsageError(`${flag}: ${JSON.stringify(raw)} is not accepted; accepted: ${list(values)}`)
  return found
}

/** npm's rules for a package name without a scope, which the service name also is. */
const namePattern = /^[a-z0-9][a-z0-9._-]*$/

/** The service name: the package's name and the logger's `name` (the `logger` key of each line). */
export const parseName = (raw: string): string => {
  const name = raw.trim()
  if (name.length === 0 || name.length > 214 || !namePattern.test(name))
    throw new UsageError(
      `--name: ${JSON.stringify(raw)} is not accepted; accepted: 1 to 214 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit`
    )
  return name
}

export const parseApi = (raw: string): Api => oneOf("--api", apis, raw)

export const parseEffect = (raw: string): EffectMajor =>
  oneOf("--effect", effectMajors, raw) === "3" ? 3 : 4

/** The HTTP integrations that fit an API and an Effect major. */
export const httpFor = (api: Api, effect: EffectMajor): ReadonlyArray<HttpChoice> =>
  api === "promise"
    ? ["none", "express", "fastify"]
    : effect === 3
      ? ["none", "platform"]
      : ["none", "effect-http"]

export const parseHttp = (raw: string, api: Api, effect: EffectMajor): HttpChoice => {
  const http = oneOf("--http", httpChoices, raw)
  const fits = httpFor(api, effect)
  if (!fits.includes(http))
    throw new UsageError(
      `--http: ${JSON.stringify(raw)} is not accepted with --api ${api} --effect ${effect}; accepted: ${list(fits)}`
    )
  return http
}

/** A comma list of sinks, at least one, each once. */
export const parseSinks = (raw: string): ReadonlyArray<SinkChoice> => {
  const items = raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
  if (items.length === 0)
    throw new UsageError(
      `--sinks: ${JSON.stringify(raw)} names no sink; accepted: a comma list of ${list(sinkChoices)}`
    )
  const sinks: Array<SinkChoice> = []
  for (const item of items) {
    const sink = sinkChoices.find((s) => s === item.toLowerCase())
    if (sink === undefined)
      throw new UsageError(
        `--sinks: ${JSON.stringify(item)} is not accepted; accepted: a comma list of ${list(sinkChoices)}`
      )
    if (sinks.includes(sink)) throw new UsageError(`--sinks: ${sink} is named twice`)
    sinks.push(sink)
  }
  return sinks
}

export const parseRedaction = (raw: string): Redaction => oneOf("--redaction", redactions, raw)

/** The defaults `--yes` takes; the service name defaults to the target directory's name when it is a valid one. */
export const defaults = (dirName: string | undefined): Answers => ({
  name: dirName !== undefined && namePattern.test(dirName) && dirName.length <= 214 ? dirName : "my-service",
  api: "effect",
  effect: 3,
  http: "none",
  sinks: ["stdout"],
  redaction: "secrets"
})
