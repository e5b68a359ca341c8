/**
 * @fapilog/syslog under fapilog/testing's plugin and sink conformance suites, delivering to
 * Debian's rsyslog over TCP (what rsyslog wrote is what the suite reads back); the same
 * suites run on Effect 4 from test/effect4/plugins/syslog.test.ts.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { describeSyslogConformance } from "./conformance.js"
import { type Rsyslog, startRsyslog } from "./rsyslog.js"

let server: Rsyslog | undefined
beforeAll(async () => {
  server = await startRsyslog()
}, 60_000)
afterAll(async () => {
  await server?.close()
})

describeSyslogConformance(() => server!, 3, Testing)
