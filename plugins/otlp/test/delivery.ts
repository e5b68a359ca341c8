/** How @fapilog/otlp delivers, as an OTLP/HTTP collector sees it (test/support/networkPlugin.ts). */
import { assert } from "@effect/vitest"
import type { NetworkPluginCase } from "../../../test/support/networkPlugin.js"
import * as Otlp from "../src/index.js"
import { attributesOf, decodeRequest } from "./otlpProto.js"

export const otlp: NetworkPluginCase = {
  type: "otlp",
  module: Otlp,
  url: (port) => `http://127.0.0.1:${port}/v1/logs`,
  accept: 200,
  checkRequest: (r) => {
    assert.strictEqual(r.url, "/v1/logs")
    assert.strictEqual(r.headers["content-type"], "application/x-protobuf")
    for (const rl of decodeRequest(new Uint8Array(r.body)).resourceLogs)
      assert.deepStrictEqual(attributesOf(rl.resource?.attributes)["service.name"], { stringValue: "e2e" })
  },
  messages: (accepted) =>
    accepted.flatMap((r) =>
      decodeRequest(new Uint8Array(r.body)).resourceLogs.flatMap((rl) =>
        rl.scopeLogs.flatMap((sl) => sl.logRecords.map((record) => record.body?.stringValue ?? ""))
      )
    )
}
