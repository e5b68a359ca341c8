/**
 * @fapilog/audit on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites, the tamper suite and the retention suite on files (the same suites as
 * its Effect 3 tests, plugins/audit/test/conformance.test.ts, tamper.test.ts and Audit.test.ts).
 */
import * as Testing from "fapilog/testing"
import { describeAuditConformance } from "../../../plugins/audit/test/conformance.js"
import { describeAuditRetention } from "../../../plugins/audit/test/retention.js"
import { describeTamperSuite } from "../../../plugins/audit/test/tamper.js"

describeAuditConformance(4, Testing)
describeTamperSuite()
describeAuditRetention()
