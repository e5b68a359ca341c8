import { Schema } from "effect"
import { Plugin } from "fapilog"
import { assert, describe, it } from "vitest"
import { Config as LokiConfig } from "../../../plugins/loki/src/internal/config.js"
import { configFields, typeWords } from "../../../scripts/marketplace/configFields.js"

const byPath = (rows: ReturnType<typeof configFields>) => new Map(rows.map((r) => [r.path, r]))

describe("configFields", () => {
  it("gives one row per key, with what it accepts, required or optional, description and default", () => {
    const Config = Schema.Struct({
      url: Schema.String.annotations({ description: "Where to send" }),
      encoding: Plugin.optional(Plugin.oneOf(["protobuf", "json"])),
      size: Plugin.optional(Plugin.wholeNumber(1, 1000, "events", "Events per request")),
      mode: Schema.optionalWith(Schema.Literal("fast", "safe"), { default: () => "safe" as const }),
      tags: Plugin.optional(Schema.Array(Schema.String)),
      labels: Plugin.optional(Schema.Record({ key: Schema.String, value: Schema.Number }))
    }).pipe(Schema.filter(() => true))
    const rows = configFields(Config)
    assert.deepStrictEqual(
      rows.map((r) => r.path),
      ["url", "encoding", "size", "mode", "tags", "labels"]
    )
    const at = byPath(rows)
    assert.deepStrictEqual(at.get("url"), {
      path: "url",
      type: "a string",
      required: true,
      description: "Where to send"
    })
    assert.deepStrictEqual(at.get("encoding"), {
      path: "encoding",
      type: "one of protobuf, json",
      required: false
    })
    assert.deepStrictEqual(at.get("size"), {
      path: "size",
      type: "a whole number of events between 1 and 1000",
      required: false,
      description: "Events per request"
    })
    // the encoded side: absent is allowed, and decoding gives the default
    assert.deepStrictEqual(at.get("mode"), {
      path: "mode",
      type: '"fast" | "safe"',
      required: false,
      default: '"safe"'
    })
    assert.strictEqual(at.get("tags")?.type, "a list, each item a string")
    assert.strictEqual(at.get("labels")?.type, "an object (keys: a string; values: a number)")
  })

  it("flattens nested objects and the objects of lists under their key", () => {
    const Config = Schema.Struct({
      batch: Plugin.optional(
        Schema.Struct({ maxEvents: Schema.Number, maxWaitMs: Plugin.optional(Schema.Number) })
      ),
      rules: Schema.Array(Schema.Struct({ field: Schema.String, action: Plugin.oneOf(["drop", "keep"]) }))
    })
    const rows = configFields(Config)
    assert.deepStrictEqual(
      rows.map((r) => [r.path, r.type, r.required]),
      [
        ["batch", "{ maxEvents, maxWaitMs? }", false],
        ["batch.maxEvents", "a number", true],
        ["batch.maxWaitMs", "a number", false],
        ["rules", "a list, each item { field, action }", true],
        ["rules[].field", "a string", true],
        ["rules[].action", "one of drop, keep", true]
      ]
    )
  })

  it("describes the encoded side of a transformation: what is written in settings", () => {
    const rows = configFields(Schema.Struct({ port: Schema.NumberFromString }))
    assert.strictEqual(rows[0]?.type, "a string")
  })

  it("uses the words of a Plugin.accepted schema's message, and its identifier without one", () => {
    const Region = Plugin.accepted(
      "Region",
      (u): u is string => typeof u === "string",
      "a region such as eu-1"
    )
    assert.strictEqual(typeWords(Region.ast), "a region such as eu-1")
    const Bare = Schema.declare((u): u is string => typeof u === "string", { identifier: "Bare" })
    assert.strictEqual(typeWords(Bare.ast), "Bare")
  })

  it("gives a config that is not an object as one row", () => {
    const rows = configFields(Schema.Union(Schema.Struct({ a: Schema.String }), Schema.Literal("none")))
    assert.deepStrictEqual(rows, [{ path: "(config)", type: '{ a } | "none"', required: true }])
  })

  it("reads a real plugin's config: @fapilog/loki", () => {
    const at = byPath(configFields(LokiConfig))
    assert.strictEqual(at.get("url")?.required, true)
    assert.strictEqual(at.get("url")?.type, "an http:// or https:// URL")
    assert.include(at.get("url")?.description ?? "", "Loki's base address")
    assert.strictEqual(at.get("encoding")?.type, "one of protobuf, json")
    assert.strictEqual(
      at.get("maxLabelValues")?.type,
      "a whole number of distinct values per label key between 1 and 100000"
    )
    assert.strictEqual(at.get("spool.directory")?.required, true)
    assert.strictEqual(at.get("spool")?.required, false)
    assert.isTrue(at.has("batch.maxEvents"))
  })
})
