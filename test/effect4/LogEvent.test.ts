/**
 * `LogEvent` on Effect 4: its module-level Schemas (Effect 3's `.annotations`,
 * `Schema.pattern`, `Schema.Literal(...)` and `Schema.Record({ key, value })` forms, through
 * the overlay) build, and `fromJsonLine` decodes a line and names what is wrong with a bad one.
 */
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { LogEvent } from "fapilog-effect4"

describe("LogEvent on Effect 4", () => {
  it("fromJsonLine returns fields to fields and refuses a bad timestamp, level or JSON", () => {
    const line =
      '{"timestamp":"2026-01-01T00:00:00.000Z","level":"warn","logger":"app","message":"m","userId":7}'
    assert.deepStrictEqual(LogEvent.fromJsonLine(line), {
      _tag: "Right",
      right: {
        timestamp: "2026-01-01T00:00:00.000Z",
        level: "warn",
        logger: "app",
        message: "m",
        fields: { userId: 7 }
      }
    } as never)
    const failure = (l: string) => {
      const result = LogEvent.fromJsonLine(l)
      return result._tag === "Left" ? String(result.left) : "decoded"
    }
    assert.match(failure("nope"), /not JSON: /)
    assert.match(failure(line.replace("2026-01-01T00:00:00.000Z", "yesterday")), /\["timestamp"\]/)
    assert.match(failure(line.replace('"warn"', '"loud"')), /\["level"\]/)
  })

  it("the LogEvent schema is an Effect 4 schema", () => {
    assert.isTrue(Schema.isSchema(LogEvent.LogEvent))
    assert.isTrue(
      Schema.is(LogEvent.LogEvent)({
        timestamp: "2026-01-01T00:00:00.000Z",
        level: "info",
        logger: "app",
        message: "m",
        fields: {}
      })
    )
  })
})
