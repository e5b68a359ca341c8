/**
 * Reading the Prometheus text exposition (version 0.0.4) in tests: a strict parser that
 * rejects what Prometheus would (names, label syntax and escapes, HELP/TYPE before a family's
 * samples, a family's samples together, cumulative histogram buckets ending at +Inf with
 * `_count` equal to it), and the real checker, Debian's `promtool check metrics`.
 */
import { spawnSync } from "node:child_process"

export interface ParsedSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>
  readonly help: ReadonlyMap<string, string>
  readonly samples: ReadonlyArray<ParsedSample>
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/

const parseValue = (text: string, line: string): number => {
  if (text === "+Inf") return Number.POSITIVE_INFINITY
  if (text === "-Inf") return Number.NEGATIVE_INFINITY
  if (text === "NaN") return Number.NaN
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value in: ${line}`)
  return Number(text)
}

/** The labels of `{...}` starting at `text[0]`; returns them and the rest of the line. */
const parseLabels = (text: string, line: string): [Record<string, string>, string] => {
  const labels: Record<string, string> = {}
  let i = 1
  while (text[i] !== "}") {
    const eq = text.indexOf("=", i)
    const name = text.slice(i, eq)
    if (!labelName.test(name) || text[eq + 1] !== '"') throw new Error(`bad label in: ${line}`)
    let value = ""
    let j = eq + 2
    for (;;) {
      const c = text[j]
      if (c === undefined || c === "\n") throw new Error(`unterminated label value in: ${line}`)
      if (c === '"') break
      if (c === "\\") {
        const next = text[j + 1]
        if (next === "\\") value += "\\"
        else if (next === '"') value += '"'
        else if (next === "n") value += "\n"
        else throw new Error(`bad escape in: ${line}`)
        j += 2
        continue
      }
      value += c
      j++
    }
    if (Object.hasOwn(labels, name)) throw new Error(`repeated label ${name} in: ${line}`)
    labels[name] = value
    i = j + 1
    if (text[i] === ",") i++
    else if (text[i] !== "}") throw new Error(`expected , or } in: ${line}`)
  }
  return [labels, text.slice(i + 1)]
}

/** The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` belong to it. */
const familyOf = (name: string, types: ReadonlyMap<string, string>): string => {
  for (const suffix of ["_bucket", "_sum", "_count"])
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length)
      if (types.get(base) === "histogram") return base
    }
  return name
}

export const parseExposition = (text: string): Exposition => {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the exposition must end with a line feed")
  const types = new Map<string, string>()
  const help = new Map<string, string>()
  const samples: Array<ParsedSample> = []
  const done = new Set<string>()
  let current: string | undefined
  for (const line of text.split("\n").slice(0, -1)) {
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line)
    if (comment !== null) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string]
      if (!metricName.test(name)) throw new Error(`bad metric name: ${line}`)
      if (done.has(name) || samples.some((s) => familyOf(s.name, types) === name))
        throw new Error(`${kind} after samples of ${name}`)
      if (kind === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest))
          throw new Error(`bad type: ${line}`)
        if (types.has(name)) throw new Error(`second TYPE for ${name}`)
        types.set(name, rest)
      } else {
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ""))) throw new Error(`bad escape in HELP: ${line}`)
        help.set(name, rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\"))
      }
      continue
    }
    if (line.startsWith("#") || line === "") throw new Error(`unexpected line: ${JSON.stringify(line)}`)
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0]
    if (name === undefined) throw new Error(`bad sample: ${line}`)
    let rest = line.slice(name.length)
    let labels: Record<string, string> = {}
    if (rest.startsWith("{")) [labels, rest] = parseLabels(rest, line)
    if (!rest.startsWith(" ")) throw new Error(`expected a space before the value: ${line}`)
    const value = parseValue(rest.slice(1), line)
    const family = familyOf(name, types)
    if (!types.has(family)) throw new Error(`sample before its TYPE: ${line}`)
    if (family !== current) {
      if (current !== undefined) done.add(current)
      if (done.has(family)) throw new Error(`samples of ${family} are not together`)
      current = family
    }
    samples.push({ name, labels, value })
  }
  checkHistograms(types, samples)
  return { types, help, samples }
}

const withoutLe = (labels: Readonly<Record<string, string>>): string =>
  JSON.stringify(Object.entries(labels).filter(([k]) => k !== "le"))

const checkHistograms = (types: ReadonlyMap<string, string>, samples: ReadonlyArray<ParsedSample>): void => {
  for (const [family, type] of types) {
    if (type !== "histogram") continue
    const series = new Map<string, Array<ParsedSample>>()
    for (const s of samples)
      if (s.name === `${family}_bucket`) {
        const key = withoutLe(s.labels)
        series.set(key, [...(series.get(key) ?? []), s])
      }
    for (const [key, buckets] of series) {
      let last = -1
      let bound = Number.NEGATIVE_INFINITY
      for (const b of buckets) {
        const le = b.labels.le
        if (le === undefined) throw new Error(`${family}_bucket without le`)
        const at = parseValue(le, le)
        if (at <= bound) throw new Error(`${family} buckets out of order`)
        if (b.value < last) throw new Error(`${family} buckets are not cumulative`)
        bound = at
        last = b.value
      }
      if (bound !== Number.POSITIVE_INFINITY) throw new Error(`${family} has no +Inf bucket`)
      const count = samples.find((s) => s.name === `${family}_count` && withoutLe(s.labels) === key)
      const sum = samples.find((s) => s.name === `${family}_sum` && withoutLe(s.labels) === key)
      if (count?.value !== last) throw new Error(`${family}_count is not the +Inf bucket`)
      if (sum === undefined) throw new Error(`${family} has no _sum`)
    }
  }
}

/** The value of the one sample named `name` with exactly these labels (others not compared). */
export const sampleValue = (
  exposition: Exposition,
  name: string,
  labels: Readonly<Record<string, string>>
): number | undefined =>
  exposition.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  )?.value

/** Runs `promtool check metrics` on `text`: its exit status and what it printed. */
export const promtoolCheck = (text: string): { readonly status: number | null; readonly output: string } => {
  const run = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" })
  if (run.error !== undefined)
    throw new Error(`promtool is needed (Debian: apt-get install prometheus): ${run.error.message}`)
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}
