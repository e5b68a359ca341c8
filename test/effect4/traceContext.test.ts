/**
 * OpenTelemetry correlation for the Promise side on Effect 4: the suite of the Effect 3 line
 * (test/support/traceCorrelation.ts) with `fapilog` resolved to this line (effect4/resolution.ts).
 */
import { traceCorrelationSuite } from "../support/traceCorrelation.js"

traceCorrelationSuite("Effect 4")
