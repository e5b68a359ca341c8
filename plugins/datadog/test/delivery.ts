/** How @fapilog/datadog delivers, as Datadog's logs intake sees it (test/support/networkPlugin.ts). */
import { assert } from "@effect/vitest"
import type { NetworkPluginCase } from "../../../test/support/networkPlugin.js"
import * as Datadog from "../src/index.js"
import { API_KEY, entriesOf } from "./intake.js"

export const datadog: NetworkPluginCase = {
  type: "datadog",
  module: Datadog,
  url: (port) => `http://127.0.0.1:${port}/api/v2/logs`,
  settings: { apiKey: API_KEY },
  accept: 202,
  authentic: (r) => r.headers["dd-api-key"] === API_KEY,
  checkRequest: (r) => {
    assert.strictEqual(r.url, "/api/v2/logs")
    assert.strictEqual(r.headers["content-type"], "application/json")
    assert.strictEqual(r.headers["content-encoding"], "gzip")
    for (const e of entriesOf(r)) {
      assert.strictEqual(e.service, "e2e")
      assert.strictEqual(e.ddsource, "nodejs")
      assert.strictEqual(e.status, "info")
    }
  },
  messages: (accepted) => accepted.flatMap((r) => entriesOf(r).map((e) => e.message as string))
}
