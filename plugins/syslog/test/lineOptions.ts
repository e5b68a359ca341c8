import type { LogEvent } from "fapilog"
import * as Testing from "fapilog/testing"
import { facilities, type LineOptions } from "../src/internal/format.js"

/** The formatter options the format and body tests start from: RFC 5424, a JSON MSG, local0. */
export const base: LineOptions = {
  rfc: "5424",
  facility: facilities.local0,
  severity: {},
  hostname: "web-1",
  appName: "checkout",
  procId: "4242",
  msgId: undefined,
  msgIdKey: undefined,
  structuredData: undefined,
  message: "json",
  bom: true,
  maxMessageBytes: 8192
}

/** An event "order placed", with `parts` over it. */
export const event = (parts: Partial<LogEvent.LogEvent> = {}): LogEvent.LogEvent =>
  Testing.event({ message: "order placed", ...parts } as never)
