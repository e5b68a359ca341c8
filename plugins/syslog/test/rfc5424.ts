/**
 * A strict reader of RFC 5424 messages (section 6's ABNF), for the tests: it refuses what
 * the grammar refuses (a header field outside PRINTUSASCII or over its length, a bad SD-NAME,
 * an unescaped `"` in a PARAM-VALUE) and unescapes `\"`, `\\` and `\]` in values.
 */

export interface Parsed {
  readonly pri: number
  readonly version: number
  readonly timestamp: string
  readonly hostname: string
  readonly appName: string
  readonly procId: string
  readonly msgId: string
  /** SD-ID -> PARAM-NAME -> value, in order. */
  readonly sd: Array<{ readonly id: string; readonly params: Array<[string, string]> }>
  /** Whether the MSG started with the UTF-8 BOM (removed from `msg`). */
  readonly bom: boolean
  readonly msg: string | undefined
}

const field = (max: number) => `(-|[\\x21-\\x7e]{1,${max}})`
const HEADER = new RegExp(
  `^<(\\d{1,3})>([1-9]\\d{0,2}) (-|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?(?:Z|[+-]\\d{2}:\\d{2})) ${field(255)} ${field(48)} ${field(128)} ${field(32)} `
)
const SD_NAME = /^[\x21-\x7e]{1,32}$/
const isSdName = (s: string): boolean => SD_NAME.test(s) && !/[= \]"]/.test(s)

export const parse5424 = (message: Buffer | string): Parsed => {
  const text = typeof message === "string" ? message : message.toString("utf8")
  const header = HEADER.exec(text)
  if (header === null) throw new Error(`not an RFC 5424 header: ${JSON.stringify(text.slice(0, 200))}`)
  const pri = Number(header[1])
  if (pri > 191) throw new Error(`PRI ${pri} over 191`)
  let i = header[0].length
  const sd: Parsed["sd"] = []
  if (text[i] === "-") i++
  else {
    while (text[i] === "[") {
      i++
      let id = ""
      while (i < text.length && text[i] !== " " && text[i] !== "]") id += text[i++]
      if (!isSdName(id)) throw new Error(`bad SD-ID ${JSON.stringify(id)}`)
      const params: Array<[string, string]> = []
      while (text[i] === " ") {
        i++
        let name = ""
        while (i < text.length && text[i] !== "=") name += text[i++]
        if (!isSdName(name)) throw new Error(`bad PARAM-NAME ${JSON.stringify(name)}`)
        if (text[++i] !== '"') throw new Error(`PARAM-VALUE of ${name} not quoted`)
        i++
        let value = ""
        for (;;) {
          const c = text[i++]
          if (c === undefined) throw new Error(`PARAM-VALUE of ${name} not closed`)
          if (c === '"') break
          if (c === "]") throw new Error(`unescaped ] in PARAM-VALUE of ${name}`)
          if (c === "\\") {
            const next = text[i]
            if (next === '"' || next === "\\" || next === "]") {
              value += next
              i++
            } else value += c
          } else value += c
        }
        params.push([name, value])
      }
      if (text[i++] !== "]") throw new Error(`SD-ELEMENT ${id} not closed`)
      sd.push({ id, params })
    }
    if (sd.length === 0) throw new Error("STRUCTURED-DATA is neither - nor an SD-ELEMENT")
  }
  let msg: string | undefined
  let bom = false
  if (i < text.length) {
    if (text[i] !== " ") throw new Error(`no SP before MSG at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`)
    msg = text.slice(i + 1)
    if (msg.startsWith("\uFEFF")) {
      bom = true
      msg = msg.slice(1)
    }
  }
  return {
    pri,
    version: Number(header[2]),
    timestamp: header[3]!,
    hostname: header[4]!,
    appName: header[5]!,
    procId: header[6]!,
    msgId: header[7]!,
    sd,
    bom,
    msg
  }
}
