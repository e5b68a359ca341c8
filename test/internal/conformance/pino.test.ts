/**
 * The `pino` layout against pino's own code, run in the test: its error serializer
 * (pino-std-serializers, installed with pino) and pino-pretty's command line as
 * docs/formatters.md tells users to run it.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import pino from "pino"
import { makePino } from "../../../src/internal/layouts.js"
import * as L from "../../../src/internal/level.js"
import { materialize, recordOf } from "../../../src/internal/record.js"
import { sampleEvent as event } from "../../support/events.js"

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
const pinoLine = makePino().format

/** `err` as our layout writes it, for an error logged the usual way. */
const ourErr = (error: unknown): unknown => {
  const line = JSON.parse(pinoLine(materialize(recordOf(L.ERROR, "failed", { error })))) as Record<
    string,
    unknown
  >
  return line.err
}

/**
 * `err` as pino writes it with pino-std-serializers' `errWithCause` (lib/err-with-cause.js):
 * `type` the constructor's name, `message`, `stack`, `aggregateErrors` for the members of an
 * AggregateError, `cause` in the same shape, then the error's other enumerable properties.
 */
const pinosErr = (error: Error): unknown =>
  withoutName(JSON.parse(JSON.stringify(pino.stdSerializers.errWithCause(error))))

/**
 * The one deliberate difference: pino also copies an enumerable `name` (an error whose
 * constructor runs `this.name = "CardError"` gets `"name":"CardError"` beside `"type"`);
 * fapilog writes the name once, as `type` (see errorInfo.ts).
 */
const withoutName = (err: unknown): unknown => {
  if (typeof err !== "object" || err === null) return err
  const { name: _, cause, aggregateErrors, ...rest } = err as Record<string, unknown>
  return {
    ...rest,
    ...(cause === undefined ? {} : { cause: withoutName(cause) }),
    ...(Array.isArray(aggregateErrors) ? { aggregateErrors: aggregateErrors.map(withoutName) } : {})
  }
}

class ValidationError extends Error {}
class CardError extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: ErrorOptions
  ) {
    super(message, options)
    this.name = "CardError"
  }
}

describe("pino layout: errors as pino's serializer writes them", () => {
  const cases: ReadonlyArray<readonly [string, Error]> = [
    ["a plain Error", new Error("boom")],
    ["a subclass that does not set name", new ValidationError("bad id")],
    ["own properties", Object.assign(new CardError("declined", 402), { code: "E_CARD" })],
    [
      "a cause chain",
      new Error("outer", { cause: new ValidationError("middle", { cause: new TypeError("inner") }) })
    ],
    [
      "an AggregateError",
      new AggregateError(
        [new ValidationError("a"), new CardError("b", 402), new Error("c", { cause: new Error("d") })],
        "several"
      )
    ],
    [
      "an AggregateError inside a cause",
      new Error("outer", { cause: new AggregateError([new Error("x")], "agg") })
    ]
  ]
  for (const [name, error] of cases) {
    it(name, () => {
      assert.deepStrictEqual(ourErr(error), pinosErr(error))
    })
  }

  it("writes the members of an AggregateError under aggregateErrors, not errors", () => {
    const err = ourErr(new AggregateError([new Error("a")], "agg")) as Record<string, unknown>
    assert.notProperty(err, "errors")
    assert.strictEqual((err.aggregateErrors as Array<Record<string, unknown>>)[0]?.message, "a")
  })
})

/** The pino-pretty command docs/formatters.md gives, as arguments after `pino-pretty`. */
const documentedCommand = (): ReadonlyArray<string> => {
  const doc = fs.readFileSync(path.join(root, "docs", "formatters.md"), "utf8")
  const args = /^node app\.js \| npx pino-pretty (.+)$/m.exec(doc)?.[1]
  assert.isString(args, "docs/formatters.md shows `node app.js | npx pino-pretty ...`")
  return (args as string).trim().split(/\s+/)
}

/** Runs the installed pino-pretty (what `npx pino-pretty` runs) over some lines. */
const pinoPretty = (args: ReadonlyArray<string>, input: string): string =>
  execFileSync(process.execPath, [path.join(root, "node_modules", "pino-pretty", "bin.js"), ...args], {
    cwd: root,
    input,
    encoding: "utf8"
  }).replace(/\u001b\[[0-9;]*m/g, "")

describe("pino layout: pino-pretty", () => {
  const lines = L.levelNames.map((level) => pinoLine(event({ level, message: `at ${level}` }))).join("\n")

  it("the documented command labels every level by its name", () => {
    const out = pinoPretty(documentedCommand(), lines)
    for (const level of L.levelNames) assert.include(out, `${level.toUpperCase()} (app): at ${level}`)
    assert.notInclude(out, "USERLVL")
  })

  it("custom levels alone are not enough with pino-pretty 13: standard levels print as USERLVL", () => {
    const out = pinoPretty(["--customLevels", "audit:70,security:80"], lines)
    assert.include(out, "USERLVL (app): at info")
    assert.include(out, "AUDIT (app): at audit")
  })
})
