/**
 * `fapilog-effect4/express` on Effect 4: the Express app of the Effect 3 line's tests
 * (test/support/expressApp.ts) on a real server, with the shared adapter suite, its
 * `fapilog` imports resolved to this line (effect4/resolution.ts, `entryFor`).
 */
import { IncomingMessage } from "node:http"
import { Socket } from "node:net"
import { describe, it } from "@effect/vitest"
import { fapilogExpress, requestLogger } from "fapilog-effect4/express"
import { withServer } from "../support/expressApp.js"
import { adapterSuite, assertOneIdPerRequest } from "../support/httpAdapterSuite.js"
import { runConcurrently, send } from "../support/httpClient.js"

describe("fapilogExpress on Effect 4", () => {
  it("300 requests, 100 at a time: every response echoes its id, every line carries exactly its request's id", async () => {
    await withServer(undefined, async (running) => {
      const count = 300
      const ids = Array.from({ length: count }, (_, i) => `req-${i}-${Math.random().toString(36).slice(2)}`)
      const replies = await runConcurrently(count, 100, (i) =>
        send(running.port, { path: `/work/${i}`, headers: { "x-request-id": ids[i] } })
      )
      await assertOneIdPerRequest(running, ids, replies, 5)
    })
  })
})

adapterSuite({
  name: "fapilogExpress",
  withServer,
  make: fapilogExpress,
  textContentType: /text\/html/,
  refuseUnknown: () => requestLogger(new IncomingMessage(new Socket()))
})
