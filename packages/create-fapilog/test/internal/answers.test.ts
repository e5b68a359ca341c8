/**
 * The checks of each answer: accepted values (any case, trimmed), and for every other value a
 * UsageError naming the flag and listing what it accepts; the HTTP integrations that fit each
 * API and Effect major; the defaults.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  defaults,
  httpFor,
  parseApi,
  parseEffect,
  parseHttp,
  parseName,
  parseRedaction,
  parseSinks,
  UsageError
} from "../../src/internal/answers.js"

const failure = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, UsageError)
    return (e as UsageError).message
  }
  return assert.fail("expected a UsageError")
}

describe("answers", () => {
  it("takes accepted values in any case, trimmed", () => {
    assert.strictEqual(parseApi(" Promise "), "promise")
    assert.strictEqual(parseEffect("4"), 4)
    assert.strictEqual(parseEffect("3"), 3)
    assert.strictEqual(parseRedaction("HARDENED"), "hardened")
    assert.strictEqual(parseName(" orders-api.v2 "), "orders-api.v2")
    assert.deepStrictEqual(parseSinks("stdout, File,,stderr"), ["stdout", "file", "stderr"])
  })

  it("names the flag and the accepted values of a value it refuses", () => {
    assert.strictEqual(
      failure(() => parseApi("callbacks")),
      '--api: "callbacks" is not accepted; accepted: effect, promise'
    )
    assert.strictEqual(
      failure(() => parseEffect("2")),
      '--effect: "2" is not accepted; accepted: 3, 4'
    )
    assert.strictEqual(
      failure(() => parseHttp("koa", "promise", 3)),
      '--http: "koa" is not accepted; accepted: none, platform, effect-http, express, fastify'
    )
    assert.strictEqual(
      failure(() => parseRedaction("all")),
      '--redaction: "all" is not accepted; accepted: none, secrets, hardened'
    )
    assert.strictEqual(
      failure(() => parseSinks("stdout,loki")),
      '--sinks: "loki" is not accepted; accepted: a comma list of stdout, stderr, file'
    )
    assert.strictEqual(
      failure(() => parseSinks(" , ")),
      '--sinks: " , " names no sink; accepted: a comma list of stdout, stderr, file'
    )
    assert.strictEqual(
      failure(() => parseSinks("file,FILE")),
      "--sinks: file is named twice"
    )
    for (const name of ["", "Orders", "-x", ".x", "a b", "@scope/x", "x".repeat(215)])
      assert.match(
        failure(() => parseName(name)),
        /^--name: .* is not accepted; accepted: 1 to 214 lowercase letters, digits, "\.", "_" or "-", starting with a letter or digit$/
      )
  })

  it("accepts an HTTP integration only with the API and Effect major it runs on", () => {
    assert.deepStrictEqual(httpFor("effect", 3), ["none", "platform"])
    assert.deepStrictEqual(httpFor("effect", 4), ["none", "effect-http"])
    assert.deepStrictEqual(httpFor("promise", 3), ["none", "express", "fastify"])
    assert.deepStrictEqual(httpFor("promise", 4), ["none", "express", "fastify"])
    assert.strictEqual(parseHttp("effect-http", "effect", 4), "effect-http")
    assert.strictEqual(parseHttp("Fastify", "promise", 4), "fastify")
    assert.strictEqual(
      failure(() => parseHttp("platform", "effect", 4)),
      '--http: "platform" is not accepted with --api effect --effect 4; accepted: none, effect-http'
    )
    assert.strictEqual(
      failure(() => parseHttp("express", "effect", 3)),
      '--http: "express" is not accepted with --api effect --effect 3; accepted: none, platform'
    )
  })

  it("defaults the name to the directory's when it is a valid one", () => {
    assert.deepStrictEqual(defaults("orders"), {
      name: "orders",
      api: "effect",
      effect: 3,
      http: "none",
      sinks: ["stdout"],
      redaction: "secrets"
    })
    assert.strictEqual(defaults("My Service").name, "my-service")
    assert.strictEqual(defaults(undefined).name, "my-service")
  })
})
