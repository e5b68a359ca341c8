/**
 * Index names with date parts, as Logstash writes them: `logs-%{+yyyy.MM.dd}` is
 * `logs-2026.01.31` for an event of that UTC day. Inside `%{+...}`: `yyyy` (year), `yy` (its
 * last two digits), `MM` (month), `dd` (day), `HH` (hour), and the separators `.`, `-`, `_`;
 * the date is the event's own timestamp, in UTC, so a late event goes to its own day's index.
 */

const DATE_PART = /%\{\+([^}]*)\}/g
const TOKEN = /yyyy|yy|MM|dd|HH|[._-]/g

/** Characters Elasticsearch refuses in an index name (and `:`, deprecated). */
const REFUSED = /[\\/*?"<>|,# :A-Z]/

/** Why `pattern` is not an index name (with date parts), or undefined when it is one. */
export const indexPatternProblem = (pattern: string): string | undefined => {
  if (pattern.length === 0) return "it is empty"
  let fixed = ""
  let last = 0
  for (const m of pattern.matchAll(DATE_PART)) {
    const format = m[1]!
    if (format.replace(TOKEN, "") !== "" || format === "")
      return `the date part %{+${format}} may hold only yyyy, yy, MM, dd, HH and . - _`
    fixed += `${pattern.slice(last, m.index)}x`
    last = m.index + m[0].length
  }
  fixed += pattern.slice(last)
  if (fixed.includes("%{")) return "a date part is written %{+yyyy.MM.dd}"
  const bad = REFUSED.exec(fixed)
  if (bad !== null)
    return bad[0] === bad[0].toUpperCase() && bad[0] !== bad[0].toLowerCase()
      ? "index names are lowercase"
      : `${JSON.stringify(bad[0])} is not allowed (none of \\ / * ? " < > | , # : or spaces)`
  if (/^[-_+]/.test(fixed)) return "it may not start with -, _ or +"
  if (fixed === "." || fixed === "..") return "it may not be . or .."
  if (Buffer.byteLength(pattern, "utf8") > 255) return "it is longer than 255 bytes"
  return undefined
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n))

/** The date part `format` for a UTC time. */
const formatDate = (format: string, d: Date): string =>
  format.replace(TOKEN, (t) => {
    switch (t) {
      case "yyyy":
        return String(d.getUTCFullYear())
      case "yy":
        return pad(d.getUTCFullYear() % 100)
      case "MM":
        return pad(d.getUTCMonth() + 1)
      case "dd":
        return pad(d.getUTCDate())
      case "HH":
        return pad(d.getUTCHours())
      default:
        return t
    }
  })

/**
 * The index of an event from its ISO timestamp; a name without date parts is returned as is.
 * The last name is kept: events of one request nearly always share it, and the hour is the
 * finest part, so a timestamp of the same hour gives the same name without formatting.
 */
export const makeIndexName = (pattern: string): ((timestamp: string) => string) => {
  if (!pattern.includes("%{")) return () => pattern
  let hour = ""
  let name = ""
  return (timestamp) => {
    const key = timestamp.slice(0, 13)
    if (key === hour && name !== "") return name
    let d = new Date(timestamp)
    // a timestamp that is not a date (hostile input never reaches here, but) goes to now's index
    if (Number.isNaN(d.getTime())) d = new Date()
    const out = pattern.replace(DATE_PART, (_, format: string) => formatDate(format, d))
    if (timestamp.length >= 13 && timestamp[10] === "T" && timestamp.endsWith("Z")) {
      hour = key
      name = out
    }
    return out
  }
}
