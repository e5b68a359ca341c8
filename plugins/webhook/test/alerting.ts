/**
 * The alert sink notifying through this plugin, on either Effect line: a rule's firing reaches
 * a real local HTTP receiver as a signed request, and only the firings do (docs/alerting.md).
 * Run by plugins/webhook/test/alertNotify.test.ts (Effect 3) and
 * test/effect4/plugins/webhookAlert.test.ts (Effect 4).
 */
import { assert, describe, it } from "@effect/vitest"
import { createLogger, Plugin } from "fapilog"
import { listen } from "../../../test/internal/networkServer.js"
import { fast } from "../../../test/support/networkPlugin.js"
import * as Webhook from "../src/index.js"
import { authentic, secret } from "./delivery.js"

export const describeAlertNotify = (line: 3 | 4): void => {
  describe(`@fapilog/webhook as an alert sink's notify target (Effect ${line})`, () => {
    it("a firing is posted, signed, to the receiver; the events that caused it are not", async () => {
      const server = await listen({ answer: () => ({ status: 202 }) })
      try {
        const log = await createLogger({
          name: "shop",
          plugins: { use: [Webhook.plugin] },
          sinks: [
            "null",
            {
              type: "alert",
              rules: [
                {
                  name: "payment-errors",
                  level: "error",
                  categories: ["shop.pay"],
                  threshold: 2,
                  window: "1m"
                },
                { name: "security", eventCategory: "security" }
              ],
              notify: Plugin.entry("webhook", { url: server.url, secret, ...fast })
            }
          ]
        })
        const pay = log.child("pay")
        for (let i = 0; i < 5; i++) pay.error("card declined", { attempt: i })
        log.warn("login failed", { eventCategory: "security", user: "ann" })
        log.info("unrelated")
        await log.flush()
        await log.close()
        const accepted = server.accepted()
        assert.isAbove(accepted.length, 0)
        for (const r of accepted) assert.isTrue(authentic(r), "signed with the shared secret")
        const events = accepted.flatMap(
          (r) => JSON.parse(r.body.toString("utf8")) as Array<Record<string, unknown>>
        )
        assert.deepStrictEqual(
          events.map((e) => [e.logger, e.message, e.eventCategory, e.rule, e.count]),
          [
            ["fapilog.alert", "alert fired", "alert", "payment-errors", 3],
            ["fapilog.alert", "alert fired", "alert", "security", 1]
          ]
        )
        assert.deepInclude(events[0], { threshold: 2, windowMs: 60_000, on: "events", level: "error" })
        assert.deepInclude(events[0]?.trigger as object, {
          logger: "shop.pay",
          level: "error",
          message: "card declined"
        })
      } finally {
        await server.stop()
      }
    })
  })
}
