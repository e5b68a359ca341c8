/**
 * @fapilog/audit under fapilog/testing's plugin and sink conformance suites; the same suites
 * run on Effect 4 from test/effect4/plugins/audit.test.ts.
 */
import * as Testing from "fapilog/testing"
import { describeAuditConformance } from "./conformance.js"

describeAuditConformance(3, Testing)
