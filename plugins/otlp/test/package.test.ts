/**
 * The "done when", for OTLP: the packed `@fapilog/otlp` installed next to the packed
 * fapilog and named only as `type: "otlp"` delivers every event exactly once, through a 429
 * with Retry-After and a 503, as OTLP/HTTP protobuf that decodes with the official
 * definitions (see test/support/pluginInstall.ts).
 */
import { assert } from "vitest"
import { describeInstalledPlugin } from "../../../test/support/pluginInstall.js"
import { attributesOf, decodeRequest } from "./otlpProto.js"

describeInstalledPlugin({
  type: "otlp",
  url: (port) => `http://127.0.0.1:${port}/v1/logs`,
  accept: 200,
  checkRequest: (r) => {
    assert.strictEqual(r.url, "/v1/logs")
    assert.strictEqual(r.headers["content-type"], "application/x-protobuf")
  },
  messages: (accepted) => {
    const requests = accepted.map((r) => decodeRequest(new Uint8Array(r.body)))
    for (const rl of requests.flatMap((q) => q.resourceLogs))
      assert.deepStrictEqual(attributesOf(rl.resource?.attributes)["service.name"], { stringValue: "e2e" })
    return requests.flatMap((q) =>
      q.resourceLogs.flatMap((rl) =>
        rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => r.body?.stringValue ?? ""))
      )
    )
  }
})
