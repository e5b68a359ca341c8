/**
 * The HTTP middleware's test helper, shared by both Effect lines' `Http` modules: the events
 * the test layer captured for one request, by its correlation id.
 */
import * as Effect from "effect/Effect"
import { CapturedLogs } from "../../layers/FapilogTest.js"
import type { LogEvent } from "../LogEvent.js"

export const capturedFor = (
  correlationId: string
): Effect.Effect<ReadonlyArray<LogEvent>, never, CapturedLogs> =>
  Effect.flatMap(CapturedLogs, (logs) =>
    Effect.map(logs.events, (events) => events.filter((e) => e.correlationId === correlationId))
  )
