/**
 * @fapilog/cloudwatch under fapilog/testing's plugin and sink conformance suites, against the
 * local stand-in for the CloudWatch Logs API; the same suites run on Effect 4 from
 * test/effect4/plugins/cloudwatch.test.ts.
 */
import * as Testing from "fapilog/testing"
import { describeCloudWatchConformance } from "./conformance.js"

describeCloudWatchConformance(3, Testing)
