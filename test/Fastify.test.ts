import { IncomingMessage } from "node:http"
import { Socket } from "node:net"
import { describe, it } from "@effect/vitest"
import { fapilogFastify, requestLogger } from "fapilog/fastify"
import type { FastifyRequest } from "fastify"
import { withServer } from "./support/fastifyApp.js"
import { adapterSuite, assertOneIdPerRequest } from "./support/httpAdapterSuite.js"
import { runConcurrently, send } from "./support/httpClient.js"

describe("fapilogFastify", () => {
  it("2,000 requests, 200 at a time (half with a body, some parsed on a foreign async context): every response echoes its id, every line carries exactly its request's id", async () => {
    await withServer(undefined, async (running) => {
      const count = 2000
      const ids = Array.from({ length: count }, (_, i) => `req-${i}-${Math.random().toString(36).slice(2)}`)
      const replies = await runConcurrently(count, 200, (i) =>
        send(
          running.port,
          i % 2 === 0
            ? { path: `/work/${i}`, headers: { "x-request-id": ids[i] } }
            : i % 4 === 1
              ? {
                  method: "POST",
                  path: `/work/${i}`,
                  headers: { "x-request-id": ids[i], "content-type": "application/json" },
                  body: JSON.stringify({ i }),
                  bodyDelayMs: 2 // the body arrives in its own packet
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
