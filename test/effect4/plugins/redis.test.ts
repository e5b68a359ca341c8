/**
 * @fapilog/redis on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites against a redis-server the test starts (the same suites as its Effect 3
 * tests, plugins/redis/test/conformance.test.ts).
 */
import { afterAll, beforeAll } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { describeRedisConformance } from "../../../plugins/redis/test/conformance.js"
import { type RedisServer, startRedis } from "../../../plugins/redis/test/redisServer.js"
import { freePort } from "../../internal/networkServer.js"

let server: RedisServer | undefined
let closed = 0
beforeAll(async () => {
  server = await startRedis()
  closed = await freePort()
}, 60_000)
afterAll(() => server?.close())

describeRedisConformance(
  () => server!,
  () => closed,
  4,
  Testing
)
