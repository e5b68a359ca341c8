/**
 * The "done when", for the webhook: the packed `@fapilog/webhook` installed next to
 * the packed fapilog and named only as `type: "webhook"` delivers every event exactly once,
 * through a 429 with Retry-After and a 503, to a receiver that refuses any request whose
 * signature does not verify (see test/support/pluginInstall.ts).
 */
import { assert } from "vitest"
import { describeInstalledPlugin } from "../../../test/support/pluginInstall.js"
import * as Webhook from "../src/index.js"

const secret = "installed-receiver-secret-0123456789"

describeInstalledPlugin({
  type: "webhook",
  settings: `secret: ${JSON.stringify(secret)}`,
  url: (port) => `http://127.0.0.1:${port}/hooks/logs`,
  accept: 202,
  authentic: (r) =>
    Webhook.verify({
      secret,
      body: r.body,
      timestamp: r.headers[Webhook.headerNames.timestamp] as string | undefined,
      signature: r.headers[Webhook.headerNames.signature] as string | undefined
    }),
  checkRequest: (r) => {
    assert.strictEqual(r.url, "/hooks/logs")
    assert.strictEqual(r.headers["content-type"], "application/json")
    assert.match(String(r.headers[Webhook.headerNames.deliveryId]), /^[0-9a-f]{32}$/)
  },
  messages: (accepted) =>
    accepted.flatMap((r) =>
      (JSON.parse(r.body.toString("utf8")) as Array<{ message: string }>).map((e) => e.message)
    )
})
