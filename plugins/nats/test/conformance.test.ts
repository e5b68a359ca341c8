/**
 * @fapilog/nats under fapilog/testing's plugin and sink conformance suites, against a
 * nats-server the test starts; the same suites run on Effect 4 from
 * test/effect4/plugins/nats.test.ts.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { freePort } from "../../../test/internal/networkServer.js"
import { describeNatsConformance } from "./conformance.js"
import { type NatsServer, startNats } from "./natsServer.js"

let server: NatsServer | undefined
let closed = 0
beforeAll(async () => {
  server = await startNats()
  closed = await freePort()
}, 60_000)
afterAll(() => server?.close())

describeNatsConformance(
  () => server!,
  () => closed,
  3,
  Testing
)
