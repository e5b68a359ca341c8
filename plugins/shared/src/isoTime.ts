/**
 * Epoch milliseconds of fapilog's timestamps (`2026-01-02T03:04:05.006Z`, the form every event
 * carries), for the plugins that send times as numbers. The events of a request mostly share
 * their minute, so the minute is parsed once (`Date.parse`) and remembered, and the seconds and
 * milliseconds are read from their digits; anything else goes to `Date.parse` as it is.
 */

/** fapilog's form, `2026-01-02T03:04:05.006Z`, with `d` for a digit. */
const ISO_FORM = "dddd-dd-ddTdd:dd:dd.dddZ"

/**
 * Whether `timestamp` is in fapilog's own form, digit for digit (every event the core builds
 * is): RFC 3339 as RFC 5424 and others take it, with no parse needed.
 */
export const hasIsoMillisForm = (timestamp: string): boolean => {
  if (timestamp.length !== ISO_FORM.length) return false
  for (let i = 0; i < ISO_FORM.length; i++) {
    const c = timestamp.charCodeAt(i)
    const f = ISO_FORM.charCodeAt(i)
    if (f === 0x64 ? c < 0x30 || c > 0x39 : c !== f) return false
  }
  return true
}

// "YYYY-MM-DDTHH:MM:" is 17 characters; then "SS.mmmZ"
const MINUTE = 17

let minute = ""
let minuteMillis = 0

const digit = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - 48
  return d >= 0 && d <= 9 ? d : Number.NaN
}

const sameMinute = (timestamp: string): boolean => {
  if (minute.length !== MINUTE) return false
  // from the minute backwards: the digits that change most often first
  for (let i = MINUTE - 2; i >= 0; i--) if (timestamp.charCodeAt(i) !== minute.charCodeAt(i)) return false
  return true
}

/** The timestamp's epoch milliseconds, or NaN when it is not a date `Date.parse` reads. */
export const isoMillis = (timestamp: string): number => {
  if (timestamp.length !== 24 || timestamp.charCodeAt(23) !== 90 || timestamp.charCodeAt(19) !== 46)
    return Date.parse(timestamp)
  const within =
    (digit(timestamp, 17) * 10 + digit(timestamp, 18)) * 1000 +
    digit(timestamp, 20) * 100 +
    digit(timestamp, 21) * 10 +
    digit(timestamp, 22)
  // NaN (not digits) and leap seconds (which Date.parse refuses) take the long way
  if (!(within < 60_000)) return Date.parse(timestamp)
  if (sameMinute(timestamp)) return minuteMillis + within
  const parsed = Date.parse(timestamp)
  if (Number.isFinite(parsed)) {
    minute = timestamp.slice(0, MINUTE)
    minuteMillis = parsed - within
  }
  return parsed
}
