/**
 * @fapilog/redis under fapilog/testing's plugin and sink conformance suites, against a
 * redis-server the test starts; the same suites run on Effect 4 from
 * test/effect4/plugins/redis.test.ts.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { freePort } from "../../../test/internal/networkServer.js"
import { describeRedisConformance } from "./conformance.js"
import { type RedisServer, startRedis } from "./redisServer.js"

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
  3,
  Testing
)
