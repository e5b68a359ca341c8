/** How @fapilog/loki delivers, as a Loki push endpoint sees it (test/support/networkPlugin.ts). */
import { assert } from "@effect/vitest"
import type { NetworkPluginCase } from "../../../test/support/networkPlugin.js"
import * as Loki from "../src/index.js"
import { decodeSnappyPush, parseLabels } from "./lokiProto.js"

export const loki: NetworkPluginCase = {
  type: "loki",
  module: Loki,
  url: (port) => `http://127.0.0.1:${port}`,
  // a label from the events: the scenario's are all info (streams per level would not keep one order)
  scenarioSettings: { labelKeys: ["level"] },
  accept: 204,
  checkRequest: (r) => {
    assert.strictEqual(r.url, "/loki/api/v1/push")
    assert.strictEqual(r.headers["content-type"], "application/x-protobuf")
    for (const s of decodeSnappyPush(new Uint8Array(r.body)).streams)
      assert.deepStrictEqual(parseLabels(s.labels), { level: "info", service_name: "e2e" })
  },
  messages: (accepted) =>
    accepted.flatMap((r) =>
      decodeSnappyPush(new Uint8Array(r.body)).streams.flatMap((s) =>
        s.entries.map((e) => (JSON.parse(e.line) as { message: string }).message)
      )
    )
}
