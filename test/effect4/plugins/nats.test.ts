/**
 * @fapilog/nats on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites against a nats-server the test starts (the same suites as its Effect 3
 * tests, plugins/nats/test/conformance.test.ts).
 */
import { afterAll, beforeAll } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { describeNatsConformance } from "../../../plugins/nats/test/conformance.js"
import { type NatsServer, startNats } from "../../../plugins/nats/test/natsServer.js"
import { freePort } from "../../internal/networkServer.js"

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
  4,
  Testing
)
