/**
 * The command line: the directory, each answer's flag (checked as it is read), the switches,
 * and a UsageError for an unknown flag, a flag without its value, a value given to a switch
 * and a second directory.
 */
import { assert, describe, it } from "@effect/vitest"
import { UsageError } from "../../src/internal/answers.js"
import { parse, usage } from "../../src/internal/args.js"

const failure = (argv: ReadonlyArray<string>): string => {
  try {
    parse(argv)
  } catch (e) {
    assert.instanceOf(e, UsageError)
    return (e as UsageError).message
  }
  return assert.fail(`expected a UsageError for ${argv.join(" ")}`)
}

describe("args", () => {
  it("reads the directory, every answer and the switches", () => {
    assert.deepStrictEqual(
      parse([
        "svc",
        "--name",
        "orders",
        "--api=promise",
        "--effect",
        "4",
        "--http",
        "express",
        "--sinks",
        "stdout,file",
        "--redaction",
        "none",
        "-y",
        "--force"
      ]),
      {
        directory: "svc",
        name: "orders",
        api: "promise",
        effect: 4,
        http: "express",
        sinks: ["stdout", "file"],
        redaction: "none",
        yes: true,
        force: true,
        help: false
      }
    )
    assert.deepStrictEqual(parse([]), {
      directory: undefined,
      name: undefined,
      api: undefined,
      effect: undefined,
      http: undefined,
      sinks: undefined,
      redaction: undefined,
      yes: false,
      force: false,
      help: false
    })
    assert.isTrue(parse(["-h"]).help)
  })

  it("leaves the HTTP integration raw: it is checked once the API and Effect major are known", () => {
    assert.strictEqual(parse(["--http", "koa"]).http, "koa")
  })

  it("names the flag of every mistake", () => {
    assert.strictEqual(
      failure(["--colour"]),
      "--colour is not an option; accepted: --name, --api, --effect, --http, --sinks, --redaction, --yes, --force, --help"
    )
    assert.strictEqual(failure(["--name"]), "--name needs a value")
    assert.strictEqual(failure(["--yes=no"]), "--yes takes no value")
    assert.strictEqual(failure(["--effect", "5"]), '--effect: "5" is not accepted; accepted: 3, 4')
    assert.strictEqual(
      failure(["a", "b"]),
      "[directory]: one target directory is accepted, 2 were given (a, b)"
    )
  })

  it("lists every flag and its accepted values in the usage", () => {
    for (const text of [
      "--name",
      "--api <api>              effect | promise",
      "--effect <major>         3 | 4",
      "none | platform | effect-http | express | fastify",
      "a comma list of stdout, stderr, file",
      "none | secrets | hardened",
      "--yes",
      "--force"
    ])
      assert.include(usage, text)
  })
})
