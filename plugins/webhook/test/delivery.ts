/**
 * How @fapilog/webhook delivers, as a receiver that checks signatures sees it
 * (test/support/networkPlugin.ts): a request whose signature does not verify is refused.
 */
import { assert } from "@effect/vitest"
import type { Received } from "../../../test/internal/networkServer.js"
import type { NetworkPluginCase } from "../../../test/support/networkPlugin.js"
import * as Webhook from "../src/index.js"

export const secret = "receiver-shares-this-secret-0123"

/** Whether the request's signature verifies with {@link secret}. */
export const authentic = (r: Received): boolean =>
  Webhook.verify({
    secret,
    body: r.body,
    timestamp: r.headers[Webhook.headerNames.timestamp] as string | undefined,
    signature: r.headers[Webhook.headerNames.signature] as string | undefined
  })

/** The messages of JSON-array bodies (the default format). */
export const messagesOf = (requests: ReadonlyArray<Received>): Array<string> =>
  requests.flatMap((r) =>
    (JSON.parse(r.body.toString("utf8")) as Array<{ message: string }>).map((e) => e.message)
  )

export const webhook: NetworkPluginCase = {
  type: "webhook",
  module: Webhook,
  url: (port) => `http://127.0.0.1:${port}/hooks/logs`,
  settings: { secret },
  accept: 202,
  authentic,
  checkRequest: (r) => {
    assert.strictEqual(r.url, "/hooks/logs")
    assert.strictEqual(r.headers["content-type"], "application/json")
    assert.match(String(r.headers[Webhook.headerNames.deliveryId]), /^[0-9a-f]{32}$/)
  },
  // one request: one delivery id for every attempt, each attempt numbered (and signed afresh)
  checkResent: (attempts) => {
    assert.strictEqual(new Set(attempts.map((r) => r.headers[Webhook.headerNames.deliveryId])).size, 1)
    assert.deepStrictEqual(
      attempts.map((r) => r.headers[Webhook.headerNames.attempt]),
      ["1", "2", "3"]
    )
  },
  messages: messagesOf
}
