import { assert, describe, it } from "@effect/vitest"
import * as snappy from "snappyjs"
import {
  encodePushRequest,
  jsonBody,
  labelString,
  nanosText,
  protobufBody,
  type Stream
} from "../src/internal/push.js"
import { cleanRoot, decodePush, decodeSnappyPush, nanosOf, officialRoot, parseLabels } from "./lokiProto.js"

const streams: ReadonlyArray<Stream> = [
  {
    labels: [
      ["level", "info"],
      ["service_name", "checkout"]
    ],
    entries: [
      { seconds: 1_767_323_045, nanos: 6_000_000, line: '{"message":"a"}', metadata: [] },
      {
        seconds: 1_767_323_045,
        nanos: 6_000_001,
        line: '{"message":"b"}',
        metadata: [
          ["trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"],
          ["span_id", "00f067aa0ba902b7"]
        ]
      }
    ]
  },
  {
    labels: [["service_name", 'we"ird\\\nname\u0001']],
    entries: [{ seconds: 0, nanos: 0, line: "", metadata: [] }]
  }
]

describe("Loki push encoding", () => {
  it("protobuf: Loki's own push.proto decodes the request exactly", () => {
    const decoded = decodePush(encodePushRequest(streams), officialRoot)
    assert.strictEqual(decoded.streams.length, 2)
    const [first, second] = decoded.streams
    assert.deepStrictEqual(parseLabels(first?.labels ?? ""), { level: "info", service_name: "checkout" })
    assert.deepStrictEqual(
      first?.entries.map((e) => [nanosOf(e.timestamp), e.line, e.structuredMetadata]),
      [
        [1_767_323_045_006_000_000n, '{"message":"a"}', []],
        [
          1_767_323_045_006_000_001n,
          '{"message":"b"}',
          [
            { name: "trace_id", value: "4bf92f3577b34da6a3ce929d0e0e4736" },
            { name: "span_id", value: "00f067aa0ba902b7" }
          ]
        ]
      ]
    )
    // quotes, backslashes, newlines and control characters survive the label quoting
    assert.deepStrictEqual(parseLabels(second?.labels ?? ""), { service_name: 'we"ird\\\nname\u0001' })
    assert.strictEqual(nanosOf(second?.entries[0]?.timestamp ?? { seconds: "1", nanos: 0 }), 0n)
  })

  it("protobuf: the clean variant of the definition reads the same message", () => {
    const body = encodePushRequest(streams)
    assert.deepStrictEqual(decodePush(body, cleanRoot), decodePush(body, officialRoot))
  })

  it("protobuf body: snappy block format, not framed", () => {
    const body = protobufBody(streams)
    // the framed format starts with the stream identifier chunk 0xff 06 00 00 "sNaPpY"
    assert.notStrictEqual(body[0], 0xff)
    assert.deepStrictEqual(snappy.uncompress(body), encodePushRequest(streams))
    assert.strictEqual(decodeSnappyPush(body).streams.length, 2)
  })

  it("labels: names sorted by the caller, values Go-quoted, lone surrogates replaced", () => {
    assert.strictEqual(labelString([["a", "x"]]), '{a="x"}')
    assert.strictEqual(labelString([["a", "\ud800"]]), '{a="\ufffd"}')
    assert.strictEqual(labelString([["a", "tab\there"]]), '{a="tab\\there"}')
  })

  it("JSON: streams with [ns, line] or [ns, line, metadata] values", () => {
    const parsed = JSON.parse(jsonBody(streams))
    assert.deepStrictEqual(parsed, {
      streams: [
        {
          stream: { level: "info", service_name: "checkout" },
          values: [
            ["1767323045006000000", '{"message":"a"}'],
            [
              "1767323045006000001",
              '{"message":"b"}',
              { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" }
            ]
          ]
        },
        { stream: { service_name: 'we"ird\\\nname\u0001' }, values: [["0", ""]] }
      ]
    })
  })

  it("hostile entries: huge, control-character and lone-surrogate lines, unicode metadata, many fragments of snappy", () => {
    const huge = "x".repeat(1024 * 1024)
    const entries = [
      { seconds: 1, nanos: 999_999_999, line: huge, metadata: [] },
      { seconds: 2, nanos: 0, line: "nul\u0000 esc\u001b[31m del\u007f ls\u2028 \ud800 lone", metadata: [] },
      ...Array.from({ length: 2_000 }, (_, i) => ({
        seconds: 1_767_323_045,
        nanos: i,
        line: `{"message":"event ${i}","text":"é中😀"}`,
        metadata: [["correlation_id", `req-é-${i % 7}`] as const]
      }))
    ]
    const decoded = decodeSnappyPush(protobufBody([{ labels: [["app", "a"]], entries }]), officialRoot)
    const got = decoded.streams[0]?.entries ?? []
    assert.strictEqual(got.length, entries.length)
    assert.strictEqual(got[0]?.line, huge)
    assert.strictEqual(nanosOf(got[0]?.timestamp ?? { seconds: 0, nanos: 0 }), 1_999_999_999n)
    assert.strictEqual(got[1]?.line, "nul\u0000 esc\u001b[31m del\u007f ls\u2028 \ufffd lone")
    assert.deepStrictEqual(got[2001]?.structuredMetadata, [{ name: "correlation_id", value: "req-é-4" }])
    assert.strictEqual(got[2001]?.line, '{"message":"event 1999","text":"é中😀"}')
  })

  it("times as decimal nanoseconds for the JSON body, before the epoch too", () => {
    assert.strictEqual(nanosText({ seconds: 0, nanos: 5 }), "5")
    assert.strictEqual(nanosText({ seconds: 1_767_323_045, nanos: 6_000_001 }), "1767323045006000001")
    assert.strictEqual(nanosText({ seconds: -1, nanos: 500_000_000 }), "-500000000")
    const decoded = decodePush(
      encodePushRequest([
        { labels: [["a", "b"]], entries: [{ seconds: -2, nanos: 1, line: "old", metadata: [] }] }
      ])
    )
    assert.strictEqual(
      nanosOf(decoded.streams[0]?.entries[0]?.timestamp ?? { seconds: 0, nanos: 0 }),
      -1_999_999_999n
    )
  })

  it("an empty request encodes to an empty PushRequest", () => {
    assert.deepStrictEqual(decodePush(encodePushRequest([])).streams, [])
    assert.deepStrictEqual(JSON.parse(jsonBody([])), { streams: [] })
  })
})
