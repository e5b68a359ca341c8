/**
 * The Prometheus text exposition format, version 0.0.4: per family a `# HELP` and a
 * `# TYPE` line, then one line per series; a histogram's series are its cumulative
 * `_bucket{le="..."}` counts (ending with `le="+Inf"`), `_sum` and `_count`. Label values
 * escape `\`, `"` and line feeds; help text escapes `\` and line feeds.
 */
import { collect, type Family, type Labels } from "./metrics.js"

/** The `Content-Type` of the exposition. */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

/** A sample value: Go's float syntax as Prometheus reads it (`+Inf`, `-Inf`, `NaN`). */
export const formatValue = (v: number): string =>
  Number.isNaN(v)
    ? "NaN"
    : v === Number.POSITIVE_INFINITY
      ? "+Inf"
      : v === Number.NEGATIVE_INFINITY
        ? "-Inf"
        : String(v)

const labelText = (labels: Labels): string =>
  labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`

/** The exposition of `families` (by default, of every live pipeline of the process). */
export const render = (families: ReadonlyArray<Family> = collect()): string => {
  let out = ""
  for (const family of families) {
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`
    if (family.type !== "histogram") {
      for (const s of family.samples) out += `${family.name}${labelText(s.labels)} ${formatValue(s.value)}\n`
      continue
    }
    for (const { labels, state } of family.samples) {
      let cumulative = 0
      for (let i = 0; i < state.counts.length; i++) {
        cumulative += state.counts[i] as number
        const le = i < state.bounds.length ? formatValue(state.bounds[i] as number) : "+Inf"
        out += `${family.name}_bucket${labelText([...labels, ["le", le]])} ${formatValue(cumulative)}\n`
      }
      out += `${family.name}_sum${labelText(labels)} ${formatValue(state.sum)}\n`
      out += `${family.name}_count${labelText(labels)} ${formatValue(state.count)}\n`
    }
  }
  return out
}
