/**
 * `fapilog-effect4/fastify` on Effect 4: the Fastify app of the Effect 3 line's tests
 * (test/support/fastifyApp.ts) on a real server, with the shared adapter suite, its `fapilog`
 * imports resolved to this line (effect4/resolution.ts, `entryFor`).
 */
import { IncomingMessage } from "node:http"
import { Socket } from "node:net"
import { describe, it } from "@effect/vitest"
import { fapilogFastify, requestLogger } from "fapilog-effect4/fastify"
import type { FastifyRequest } from "fastify"
import { withServer } from "../support/fastifyApp.js"
import { adapterSuite, assertOneIdPerRequest } from "../support/httpAdapterSuite.js"
import { runConcurrently, send } from "../support/httpClient.js"

describe("fapilogFastify on Effect 4", () => {
  it("300 requests, 100 at a time, a third with a JSON body and a third parsed on a foreign async context: every line carries exactly its request's id", async () => {
    await withServer(undefined, async (running) => {
      const count = 300
      const ids = Array.from({ length: count }, (_, i) => `req-${i}-${Math.random().toString(36).slice(2)}`)
      const replies = await runConcurrently(count, 100, (i) =>
        send(
          running.port,
          i % 3 === 0
            ? { path: `/work/${i}`, headers: { "x-request-id": ids[i] } }
            : i % 3 === 1
              ? {
                  method: "POST",
                  path: `/work/${i}`,
                  headers: { "x-request-id": ids[i], "content-type": "application/json" },
                  body: JSON.stringify({ i }),
                  bodyDelayMs: 2
                }
              : {
                  method: "POST",
                  path: `/queued/${i}`,
                  headers: { "x-request-id": ids[i], "content-type": "application/x-queued" },
                  body: String(i)
                }
        )
      )
      await assertOneIdPerRequest(running, ids, replies, 6)
    })
  })
})

adapterSuite({
  name: "fapilogFastify",
  withServer,
  make: fapilogFastify,
  textContentType: /text\/plain/,
  refuseUnknown: () => requestLogger({ raw: new IncomingMessage(new Socket()) } as unknown as FastifyRequest)
})
