import * as Formatter from "../../src/Formatter.js"
import * as L from "../../src/internal/level.js"
import type { Emit } from "../../src/internal/processor.js"
import type { LogRecord } from "../../src/internal/record.js"
import { eventOf, recordsOf } from "../../src/internal/testingEvents.js"
import type { LogEvent } from "../../src/LogEvent.js"

/** Collects what a processor emits. */
export const collector = () => {
  const emitted: Array<LogRecord> = []
  const emit: Emit = (r) => {
    emitted.push(r)
  }
  return { emitted, emit }
}

/** `n` records with messages m0, m1, ... at `level`, time 0. */
export const numbered = (n: number, level: L.LevelInfo = L.INFO): Array<LogRecord> =>
  recordsOf(Array.from({ length: n }, (_, i) => ({ level: level.name, message: `m${i}`, time: 0 })))

/** A structured event with sensible defaults, for formatter tests (the test kit's `Testing.event`). */
export const sampleEvent: (over?: Partial<LogEvent>) => LogEvent = eventOf

/** Every built-in formatter and layout, for tests that must hold for all of them. */
export const allFormatters = (): ReadonlyArray<Formatter.Formatter> => [
  Formatter.json,
  Formatter.logfmt(),
  Formatter.pretty({ colors: false }),
  Formatter.minimal(),
  Formatter.ecs(),
  Formatter.otel(),
  Formatter.pino()
]
