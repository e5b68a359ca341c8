/**
 * A JSON reader that refuses a key repeated in one object, as Elasticsearch's does (it turns on
 * Jackson's `STRICT_DUPLICATE_DETECTION`: elastic/elasticsearch,
 * libs/x-content/impl/src/main/java/org/elasticsearch/xcontent/provider/json/JsonXContentImpl.java).
 * `JSON.parse` keeps the last of two equal keys silently, so it cannot tell. Objects come back
 * with their keys in order as `[key, value]` entries, so nothing is merged on the way.
 */
export type StrictJson =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<StrictJson>
  | { readonly entries: ReadonlyArray<readonly [string, StrictJson]> }

export const parseStrict = (text: string): StrictJson => {
  let i = 0
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at ${i} in ${text.slice(Math.max(0, i - 20), i + 20)}`)
  }
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++
  }
  const readString = (): string => {
    const start = i
    i++
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1
    if (i >= text.length) fail("unterminated string")
    i++
    return JSON.parse(text.slice(start, i)) as string
  }
  const readValue = (): StrictJson => {
    skipSpace()
    const c = text[i]
    if (c === "{") {
      i++
      const entries: Array<readonly [string, StrictJson]> = []
      const seen = new Set<string>()
      skipSpace()
      if (text[i] === "}") {
        i++
        return { entries }
      }
      for (;;) {
        skipSpace()
        if (text[i] !== '"') fail("a key")
        const key = readString()
        if (seen.has(key)) fail(`duplicate field ${JSON.stringify(key)}`)
        seen.add(key)
        skipSpace()
        if (text[i] !== ":") fail("a colon")
        i++
        entries.push([key, readValue()])
        skipSpace()
        if (text[i] === ",") {
          i++
          continue
        }
        if (text[i] === "}") {
          i++
          return { entries }
        }
        fail("a comma or }")
      }
    }
    if (c === "[") {
      i++
      const items: Array<StrictJson> = []
      skipSpace()
      if (text[i] === "]") {
        i++
        return items
      }
      for (;;) {
        items.push(readValue())
        skipSpace()
        if (text[i] === ",") {
          i++
          continue
        }
        if (text[i] === "]") {
          i++
          return items
        }
        fail("a comma or ]")
      }
    }
    if (c === '"') return readString()
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 400)
    )
    if (literal === null) return fail("a value")
    i += literal[0].length
    return JSON.parse(literal[0]) as StrictJson
  }
  const value = readValue()
  skipSpace()
  if (i !== text.length) fail("the end")
  return value
}

/** Every key of every object in a value, with its path of keys, depth first. */
export const everyKey = (
  value: StrictJson,
  path: ReadonlyArray<string> = []
): Array<{ readonly key: string; readonly path: ReadonlyArray<string> }> => {
  if (value === null || typeof value !== "object") return []
  if (Array.isArray(value)) return (value as ReadonlyArray<StrictJson>).flatMap((v) => everyKey(v, path))
  return (value as { readonly entries: ReadonlyArray<readonly [string, StrictJson]> }).entries.flatMap(
    ([key, v]) => [{ key, path }, ...everyKey(v, [...path, key])]
  )
}
