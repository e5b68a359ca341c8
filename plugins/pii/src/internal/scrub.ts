/**
 * Scrubbing: the detectors applied to one string, with each detector's action. fapilog's
 * text processors (`Processor.text`) give it every string of an event, copy on write.
 */
import { createHmac } from "node:crypto"
import { Processor } from "fapilog"
import type { Action } from "./config.js"
import { type Detector, type DetectorName, detectors, profile } from "./detectors.js"

/** What a string with a removed match and nothing else left becomes: its key or item goes. */
export const REMOVED: typeof Processor.removed = Processor.removed

export interface ScrubOptions {
  readonly actions: ReadonlyMap<DetectorName, Exclude<Action, "off">>
  readonly key: Buffer | undefined
  readonly censor: string | undefined
}

/** One active detector, with its action prepared. */
interface Active {
  readonly detector: Detector
  readonly replace: (match: string) => string
}

/** The last four letters or digits stay, every other letter or digit becomes `*`. */
export const maskKeepLast4 = (match: string): string => {
  let keep = 4
  const out: Array<string> = new Array(match.length)
  for (let i = match.length - 1; i >= 0; i--) {
    const c = match.charCodeAt(i)
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    if (alnum && keep > 0) {
      keep--
      out[i] = match[i] as string
    } else out[i] = alnum ? "*" : (match[i] as string)
  }
  // four characters or fewer in all: nothing is shown
  return keep > 0 ? "*".repeat(match.length) : out.join("")
}

const replacer = (
  name: DetectorName,
  action: Exclude<Action, "off">,
  options: ScrubOptions
): ((m: string) => string) => {
  switch (action) {
    case "censor": {
      const text = options.censor ?? `[REDACTED:${name}]`
      return () => text
    }
    case "remove":
      return () => ""
    case "mask":
      return maskKeepLast4
    case "hash": {
      const key = options.key
      if (key === undefined) throw new Error("the hash action needs a key")
      // a stable pseudonym: the same value gives the same text under the same key, so events
      // can still be joined on it; 64 bits of the HMAC, the detector's name in front
      return (m) => `[${name}:${createHmac("sha256", key).update(m, "utf8").digest("hex").slice(0, 16)}]`
    }
  }
}

/** The scrubber of one config: `string` rewrites one string. */
export class Scrubber {
  private readonly active: ReadonlyArray<Active>
  private readonly needs: number
  private readonly removes: boolean
  // spans found in the current string: start, end, index in `active` (reused, never shared)
  private readonly spans: Array<number> = []

  constructor(options: ScrubOptions) {
    this.active = detectors
      .filter((d) => options.actions.has(d.name))
      .map((detector) => ({
        detector,
        replace: replacer(
          detector.name,
          options.actions.get(detector.name) as Exclude<Action, "off">,
          options
        )
      }))
    this.needs = this.active.reduce((bits, a) => bits | a.detector.needs, 0)
    this.removes = [...options.actions.values()].includes("remove")
  }

  /**
   * `s` with every match replaced, `s` itself when nothing matched, or `REMOVED` when the
   * string was nothing but removed matches.
   */
  string(s: string): string | typeof REMOVED {
    const bits = profile(s)
    if ((bits & this.needs) === 0) return s
    const spans = this.spans
    spans.length = 0
    const active = this.active
    for (let d = 0; d < active.length; d++) {
      const detector = (active[d] as Active).detector
      if ((bits & detector.needs) === 0) continue
      detector.find(s, bits, (start, end) => {
        if (end > start) spans.push(start, end, d)
      })
    }
    if (spans.length === 0) return s
    // order by start, then by the detectors' order; a match overlapping an earlier one loses
    const order: Array<number> = []
    for (let k = 0; k < spans.length; k += 3) order.push(k)
    if (order.length > 1)
      order.sort(
        (a, b) =>
          (spans[a] as number) - (spans[b] as number) || (spans[a + 2] as number) - (spans[b + 2] as number)
      )
    let out = ""
    let at = 0
    for (const k of order) {
      const start = spans[k] as number
      const end = spans[k + 1] as number
      if (start < at) continue
      out += s.slice(at, start) + (active[spans[k + 2] as number] as Active).replace(s.slice(start, end))
      at = end
    }
    out += s.slice(at)
    spans.length = 0
    return this.removes && out.trim() === "" ? REMOVED : out
  }
}
