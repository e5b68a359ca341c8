/**
 * fapilog's JSON line of an event (`Formatter.json`: hostile values made safe there) within a
 * byte limit, for the plugins whose destination refuses or silently cuts larger entries
 * (Datadog: 1 MB per entry; CloudWatch Logs: 256 KB per event). A line over the limit is cut
 * here, where the cut can be marked and the result stays valid JSON: it is rendered again with
 * smaller bounds (strings shortened and marked `…[truncated N chars]`, as the line marks them;
 * fewer keys and items; less depth) and carries `fapilog_truncated_bytes`, the size it had; in
 * the last resort only the time, level, logger and the start of the message are kept.
 *
 * `prefix` is JSON members (each followed by a comma) written in front of the line's own keys:
 * a plugin's attributes, which are kept whatever the cut.
 */
import { Formatter, type LogEvent } from "fapilog"

// the bounded renderings of an over-long line, tried in turn
const smaller = [
  Formatter.jsonWith({ maxDepth: 6, maxKeys: 200, maxArrayLength: 200, maxStringLength: 16_384 }),
  Formatter.jsonWith({ maxDepth: 3, maxKeys: 50, maxArrayLength: 50, maxStringLength: 1024 })
]

/** UTF-8 bytes of `s`, measured only when its length cannot settle the question. */
const fits = (s: string, maxBytes: number): boolean =>
  s.length * 3 <= maxBytes || (s.length <= maxBytes && Buffer.byteLength(s) <= maxBytes)

/** Cuts `s` to at most `bytes` UTF-8 bytes, on a character boundary. */
export const cutUtf8 = (s: string, bytes: number): string => {
  if (Buffer.byteLength(s) <= bytes) return s
  // a character cut in two at the end decodes to U+FFFD: drop it
  return Buffer.from(s, "utf8")
    .subarray(0, Math.max(0, bytes))
    .toString("utf8")
    .replace(/\uFFFD+$/, "")
}

/**
 * The JSON line of `e` with `prefix` in front of its keys, in at most `maxBytes` UTF-8 bytes
 * (`maxBytes` must leave room for the prefix and about 2 KB more).
 */
export const boundedLine = (e: LogEvent.LogEvent, maxBytes: number, prefix = ""): string => {
  const line = `{${prefix}${Formatter.json.format(e).slice(1)}`
  if (fits(line, maxBytes)) return line
  const marked = `${prefix}"fapilog_truncated_bytes":${Buffer.byteLength(line)},`
  for (const formatter of smaller) {
    const cut = `{${marked}${formatter.format(e).slice(1)}`
    if (fits(cut, maxBytes)) return cut
  }
  const head = `{${marked}"timestamp":${JSON.stringify(e.timestamp)},"level":${JSON.stringify(e.level)},"logger":${JSON.stringify(cutUtf8(e.logger, 256))},"message":`
  // the message's JSON text takes up to 6 bytes per character (\u escapes): cut it by that much
  const room = Math.max(0, Math.floor((maxBytes - Buffer.byteLength(head) - 64) / 6))
  const message = cutUtf8(e.message, room)
  return `${head}${JSON.stringify(`${message}…[truncated ${e.message.length - message.length} chars]`)}}`
}
