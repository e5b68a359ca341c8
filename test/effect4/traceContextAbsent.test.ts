/**
 * The Promise side on Effect 4 when `@opentelemetry/api` is not installed: importing it fails here
 * as it does for an app without the package (test/support/absentTraceApi.ts).
 */
import { vi } from "vitest"
import { absentApiSuite } from "../support/absentTraceApi.js"

vi.mock("@opentelemetry/api", () => {
  throw Object.assign(new Error("Cannot find package '@opentelemetry/api'"), { code: "ERR_MODULE_NOT_FOUND" })
})

absentApiSuite("Effect 4")
