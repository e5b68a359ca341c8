/** Settings and helpers shared by the CloudWatch Logs tests of both Effect lines. */
import { CREDENTIALS, REGION } from "./cloudwatchServer.js"

/** Short batching and retry delays. */
export const fast = { batch: { maxWaitMs: 50 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }

/** A sink entry's settings for the test server at `endpoint`. */
export const settingsFor = (endpoint: string, logGroup = "/fapilog/test", logStream = "tests") => ({
  region: REGION,
  logGroup,
  logStream,
  endpoint,
  credentials: { ...CREDENTIALS },
  ...fast
})
