/**
 * The precision corpus (fixtures/corpus): realistic log lines, each labelled with the
 * detectors that should fire on it (`-` for none), and the counts of what the default config
 * finds that it should not (false positives) and misses (false negatives).
 */
import * as fs from "node:fs"
import type { LogEvent, Processor } from "fapilog"

export interface CorpusLine {
  readonly expected: ReadonlyArray<string>
  readonly line: string
}

export const corpus: ReadonlyArray<CorpusLine> = fs
  .readFileSync(new URL("./fixtures/corpus", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l !== "" && !l.startsWith("#"))
  .map((l) => {
    const tab = l.indexOf("\t")
    const labels = l.slice(0, tab)
    return { expected: labels === "-" ? [] : labels.split(","), line: l.slice(tab + 1) }
  })

export interface Precision {
  readonly lines: number
  readonly withPii: number
  readonly matches: number
  readonly falsePositives: ReadonlyArray<string>
  readonly falseNegatives: ReadonlyArray<string>
}

const eventOf = (message: string): LogEvent.LogEvent => ({
  timestamp: "2026-12-06T12:00:00.000Z",
  level: "info",
  logger: "corpus",
  message,
  fields: {}
})

/** Runs `processor` (censoring with `[REDACTED:<detector>]`) over the corpus and counts. */
export const measure = (processor: Processor.Processor): Precision => {
  const falsePositives: Array<string> = []
  const falseNegatives: Array<string> = []
  let matches = 0
  for (const { expected, line } of corpus) {
    const out = processor.process?.(eventOf(line))?.message ?? ""
    const found = new Set([...out.matchAll(/\[REDACTED:([A-Za-z]+)\]/g)].map((m) => m[1] as string))
    for (const d of found) if (!expected.includes(d)) falsePositives.push(`${d}: ${line}`)
    for (const d of expected) {
      if (found.has(d)) matches++
      else falseNegatives.push(`${d}: ${line}`)
    }
  }
  return {
    lines: corpus.length,
    withPii: corpus.filter((c) => c.expected.length > 0).length,
    matches,
    falsePositives,
    falseNegatives
  }
}
