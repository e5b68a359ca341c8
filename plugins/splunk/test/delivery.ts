/** How @fapilog/splunk delivers, as an HTTP Event Collector sees it (test/support/networkPlugin.ts). */
import { assert } from "@effect/vitest"
import type { Received } from "../../../test/internal/networkServer.js"
import type { NetworkPluginCase } from "../../../test/support/networkPlugin.js"
import * as Splunk from "../src/index.js"
import { envelopesOf } from "./hecServer.js"

export const token = "8c2d9f4e-1b7a-4c3e-9f0d-5a6b7c8d9e0f"

/** The envelopes of event-endpoint bodies, in order. */
export const envelopes = (requests: ReadonlyArray<Received>): Array<Record<string, unknown>> =>
  requests.flatMap((r) => envelopesOf(r.body.toString("utf8")) ?? assert.fail("not HEC envelopes"))

export const splunk: NetworkPluginCase = {
  type: "splunk",
  module: Splunk,
  url: (port) => `http://127.0.0.1:${port}`,
  settings: { token, host: "web-1", index: "main" },
  accept: 200,
  acceptBody: () => '{"text":"Success","code":0}',
  checkRequest: (r) => {
    assert.strictEqual(r.url, "/services/collector/event")
    assert.strictEqual(r.headers.authorization, `Splunk ${token}`)
    assert.match(String(r.headers["x-splunk-request-channel"]), /^[0-9a-f-]{36}$/)
    assert.strictEqual(r.headers["content-type"], "application/json")
    // time: epoch seconds with milliseconds
    for (const line of r.body.toString("utf8").split("\n").slice(0, -1))
      assert.match(
        line,
        /^\{"time":\d{10}\.\d{3},"host":"web-1","source":"app","sourcetype":"_json","index":"main","event":\{/
      )
    for (const e of envelopes([r])) assert.strictEqual((e.event as { service?: string }).service, "e2e")
  },
  // the channel is the sink's: the same on every attempt
  checkResent: (attempts) =>
    assert.strictEqual(new Set(attempts.map((r) => r.headers["x-splunk-request-channel"])).size, 1),
  messages: (accepted) => envelopes(accepted).map((e) => String((e.event as { message: string }).message))
}
