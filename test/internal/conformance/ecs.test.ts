/**
 * The `ecs` layout against the rules Elasticsearch applies when it indexes a document and
 * the ecs-logging specification. Each rule below names where it comes from; the checks are
 * written from those rules, not from the layout's code.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { ecsKey, makeEcs } from "../../../src/internal/layouts.js"
import * as L from "../../../src/internal/level.js"
import { materialize, recordOf } from "../../../src/internal/record.js"
import { sampleEvent as event } from "../../support/events.js"
import { everyKey, parseStrict, type StrictJson } from "../../support/strictJson.js"

const ecs = makeEcs().format

// Java's Character.isWhitespace, which String.isBlank tests (java.lang.Character javadoc):
// the Unicode space, line and paragraph separators except U+00A0, U+2007 and U+202F, plus
// U+0009-U+000D and U+001C-U+001F.
const isJavaWhitespace = (c: string): boolean => {
  const n = c.codePointAt(0) as number
  if ((n >= 0x09 && n <= 0x0d) || (n >= 0x1c && n <= 0x1f)) return true
  if (n === 0xa0 || n === 0x2007 || n === 0x202f) return false
  return /^[\p{Zs}\p{Zl}\p{Zp}]$/u.test(c)
}
const isBlank = (s: string): boolean => [...s].every(isJavaWhitespace)

/**
 * Why Elasticsearch (default mapping, `subobjects: true`) refuses a field name, or
 * `undefined`. From elastic/elasticsearch:
 * - server/src/main/java/org/elasticsearch/index/mapper/DotExpandingXContentParser.java,
 *   `splitAndValidatePath`: "field name cannot be an empty string", "field name cannot
 *   contain only dots", an empty segment of a dotted name ("field name cannot contain only
 *   whitespace: ['top..foo']"), a blank one ("field name starting or ending with a [.] makes
 *   object resolution ambiguous: [top. .foo]");
 * - server/src/main/java/org/elasticsearch/index/mapper/DocumentParser.java,
 *   `throwFieldNameBlank`: "Field name cannot contain only whitespace: [ ]";
 * - server/src/test/java/org/elasticsearch/index/mapper/DocumentParserTests.java:
 *   testBlankFieldNames, testDotsOnlyFieldNames, testDynamicFieldStartingWithDot,
 *   testDynamicDottedFieldWithTrailingDots, testDynamicFieldsStartingAndEndingWithDot,
 *   testDynamicDottedFieldWithTrailingWhitespace, and testDynamicFieldEndingWithDot, which
 *   marks a trailing dot ambiguous (accepted only through issue #28948, then merged with the
 *   name without it).
 */
const refused = (name: string): string | undefined => {
  if (name === "") return "empty"
  if (isBlank(name)) return "only whitespace"
  if (!name.includes(".")) return undefined
  const segments = name.split(".")
  if (segments.every((s) => s === "")) return "only dots"
  if (segments.some((s) => s === "")) return "empty segment (leading, trailing or doubled dot)"
  if (segments.some(isBlank)) return "blank segment"
  return undefined
}

// Elasticsearch's metadata fields cannot appear at the root of a document: "Field [_id] is a
// metadata field and cannot be added inside a document" (DocumentParser; RoutingFieldMapperTests
// testIncludeInObjectNotAllowed). The built-in ones (IndicesModule#getMetadataMappers) and
// those of the bundled plugins:
const METADATA_FIELDS = [
  "_id",
  "_index",
  "_source",
  "_routing",
  "_ignored",
  "_ignored_source",
  "_field_names",
  "_version",
  "_seq_no",
  "_primary_term",
  "_nested_path",
  "_doc_count",
  "_data_stream_timestamp",
  "_tsid",
  "_ts_routing_hash",
  "_tier",
  "_size"
]

/** Fails the test unless Elasticsearch would index the line as one document. */
const assertIndexes = (line: string): StrictJson => {
  // one JSON object per line, no repeated key in any object (Jackson's strict duplicate detection)
  assert.notInclude(line, "\n")
  const doc = parseStrict(line)
  for (const { key, path } of everyKey(doc)) {
    const why = refused(key)
    assert.isUndefined(why, `key ${JSON.stringify(key)} under ${JSON.stringify(path)}: ${why} in ${line}`)
    if (path.length === 0) assert.notInclude(METADATA_FIELDS, key.split(".")[0], line)
  }
  return doc
}

const entriesOf = (v: StrictJson): ReadonlyArray<readonly [string, StrictJson]> => {
  assert.isTrue(typeof v === "object" && v !== null && !Array.isArray(v))
  return (v as { readonly entries: ReadonlyArray<readonly [string, StrictJson]> }).entries
}
const get = (v: StrictJson, key: string): StrictJson | undefined => entriesOf(v).find(([k]) => k === key)?.[1]

/** Every number in a value, depth first: the user's values, to count that none was lost. */
const numbers = (v: StrictJson): Array<number> => {
  if (typeof v === "number") return [v]
  if (v === null || typeof v !== "object") return []
  if (Array.isArray(v)) return (v as ReadonlyArray<StrictJson>).flatMap(numbers)
  return entriesOf(v).flatMap(([, x]) => numbers(x))
}

const plainNumbers = (v: unknown): Array<number> =>
  typeof v === "number"
    ? [v]
    : typeof v === "object" && v !== null
      ? Object.values(v).flatMap(plainNumbers)
      : []

const refusedKeys = ["", " ", "\t", "\u3000", ".", "..", ".a", "a.", "a..b", "a. .b", ".a.", " . "]

describe("ecs layout: Elasticsearch field names", () => {
  it("the rule table in the test refuses what Elasticsearch's own tests refuse", () => {
    for (const k of refusedKeys) assert.isString(refused(k), JSON.stringify(k))
    for (const k of ["a", "a.b", " a", "a b", "\u00a0", "_", "a.b.c", "@timestamp"])
      assert.isUndefined(refused(k), JSON.stringify(k))
  })

  it("writes every refused key, at any depth, under a name Elasticsearch indexes", () => {
    for (const k of refusedKeys) {
      const line = ecs(
        event({
          fields: {
            [k]: 1,
            nested: { [k]: 2, deeper: [{ [k]: 3 }] },
            map: new Map([[k, 4]]),
            ok: 5
          },
          spans: { [k]: 6 },
          error: { type: "Error", message: "m", details: { [k]: 7 } }
        })
      )
      const doc = assertIndexes(line)
      // every value is still there, under a name of its own
      assert.sameMembers(numbers(doc), [1, 2, 3, 4, 5, 6, 7], line)
    }
  })

  it("drops empty and blank segments, writes a key with nothing left as _", () => {
    assert.strictEqual(ecsKey(".a"), "a")
    assert.strictEqual(ecsKey("a."), "a")
    assert.strictEqual(ecsKey("a..b"), "a.b")
    assert.strictEqual(ecsKey("a. .b"), "a.b")
    assert.strictEqual(ecsKey(""), "_")
    assert.strictEqual(ecsKey(" "), "_")
    assert.strictEqual(ecsKey("..."), "_")
    for (const k of ["a", "a.b", " a", "a b", "\u00a0", "ключ", "😀.x"]) assert.strictEqual(ecsKey(k), k)
  })

  it("keeps distinct keys distinct: a key written as given keeps its name, a renamed one takes a suffix", () => {
    const line = ecs(event({ fields: { ".a": 1, a: 2, "a.": 3, "": 4, _: 5, nested: { "b.": 6, b: 7 } } }))
    const doc = assertIndexes(line)
    assert.strictEqual(get(doc, "a"), 2)
    assert.strictEqual(get(doc, "a~2"), 1)
    assert.strictEqual(get(doc, "a~3"), 3)
    assert.strictEqual(get(doc, "_"), 5)
    assert.strictEqual(get(doc, "_~2"), 4)
    const nested = get(doc, "nested") as StrictJson
    assert.deepStrictEqual(entriesOf(nested), [
      ["b~2", 6],
      ["b", 7]
    ])
  })

  it("renames refused Map keys, and tells apart the Map keys that then write the same text", () => {
    const doc = assertIndexes(
      ecs(
        event({
          fields: {
            m: new Map<unknown, number>([
              [1, 1],
              ["1", 2],
              ["", 3],
              [".", 4]
            ])
          }
        })
      )
    )
    assert.deepStrictEqual(entriesOf(get(doc, "m") as StrictJson), [
      ["1", 1],
      ["1~2", 2],
      ["_", 3],
      ["_~2", 4]
    ])
  })

  it("moves a key that becomes one of the layout's own, or a metadata field, under fields", () => {
    const line = ecs(
      event({
        fields: {
          ".message": "a",
          "log.level.": "b",
          _id: "c",
          "_source.x": "d",
          _private: "e",
          message: "f"
        }
      })
    )
    const doc = assertIndexes(line)
    assert.strictEqual(get(doc, "message"), "hello")
    assert.strictEqual(get(doc, "log.level"), "info")
    assert.strictEqual(get(doc, "_private"), "e")
    assert.deepStrictEqual(entriesOf(get(doc, "fields") as StrictJson), [
      ["message~2", "a"],
      ["log.level", "b"],
      ["_id", "c"],
      ["_source.x", "d"],
      ["message", "f"]
    ])
  })

  it("leaves values that only look like refused keys as they are", () => {
    const text = ['"":', ".start", "end.", "a..b", ". .", "...", "\t"]
    const doc = assertIndexes(ecs(event({ fields: { list: text, o: { k: text } } })))
    assert.deepStrictEqual(get(doc, "list"), text)
  })

  it("any keys, at any depth: the line indexes and no value is lost", () => {
    const key = fc.oneof(
      fc.constantFrom("", " ", ".", "..", "a", "b", "a.b", "\t", "\u3000", "_", "a~2", "message", "_id"),
      fc
        .array(fc.constantFrom(".", " ", "a", "b", "\u2028", "\u00a0"), { maxLength: 5 })
        .map((p) => p.join(""))
    )
    let leaf = 0
    const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.constant(null).map(() => leaf++),
        fc.dictionary(key, tie("node"), { maxKeys: 5 }),
        fc.array(tie("node"), { maxLength: 3 })
      )
    })).node
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 6 }), (fields) => {
        const expected = plainNumbers(fields)
        const doc = assertIndexes(ecs(event({ fields })))
        assert.sameMembers(numbers(doc), expected)
      }),
      { numRuns: 300 }
    )
  })
})

describe("ecs layout: ecs-logging specification", () => {
  // elastic/ecs-logging spec/README.md: "@timestamp", "log.level", "message" first, in that
  // order, then "ecs.version"; spec/spec.json: "log.level" has "nesting_allowed": false (a
  // dotted top-level key), and the event is one line of ND-JSON.
  it("starts every line with @timestamp, log.level, message, ecs.version, whatever the fields", () => {
    const r = recordOf(L.WARN, "m", { fields: { "": 1, "@timestamp": 2, ".message": 3, log: { level: 4 } } })
    const doc = assertIndexes(ecs(materialize(r)))
    assert.deepStrictEqual(
      entriesOf(doc)
        .slice(0, 4)
        .map(([k]) => k),
      ["@timestamp", "log.level", "message", "ecs.version"]
    )
    assert.strictEqual(get(doc, "log.level"), "warn")
  })
})
