/**
 * The "done when", for Loki: the packed `@fapilog/loki` installed next to the packed
 * fapilog and named only as `type: "loki"` delivers every event exactly once, through a 429
 * with Retry-After and a 503, as snappy-compressed protobuf that decodes with the official
 * definition (see test/support/pluginInstall.ts).
 */
import { assert } from "vitest"
import { describeInstalledPlugin } from "../../../test/support/pluginInstall.js"
import { decodeSnappyPush, parseLabels } from "./lokiProto.js"

describeInstalledPlugin({
  type: "loki",
  settings: 'labelKeys: ["level"]',
  url: (port) => `http://127.0.0.1:${port}`,
  accept: 204,
  checkRequest: (r) => {
    assert.strictEqual(r.url, "/loki/api/v1/push")
    assert.strictEqual(r.headers["content-type"], "application/x-protobuf")
  },
  messages: (accepted) => {
    const streams = accepted.flatMap((r) => decodeSnappyPush(new Uint8Array(r.body)).streams)
    for (const s of streams)
      assert.deepStrictEqual(parseLabels(s.labels), { level: "info", service_name: "e2e" })
    return streams.flatMap((s) => s.entries.map((e) => (JSON.parse(e.line) as { message: string }).message))
  }
})
