/**
 * Field redaction, compiled once from settings and applied while events are serialized
 * (and when structured events are built), so the caller's objects are never touched and
 * a logger without redaction pays nothing.
 *
 * Paths are relative to the event's user fields: `password`, `headers.authorization`,
 * `*.token` (`*` matches any one key or array index), `users[*].email`, `items[0].secret`.
 * Key names match at any depth, case-insensitively.
 */
export interface RedactOptions {
  readonly paths?: ReadonlyArray<string> | undefined
  readonly keys?: ReadonlyArray<string> | undefined
  /** Replacement text; default "[REDACTED]". */
  readonly censor?: string | undefined
  /** Remove matched keys instead of censoring them. */
  readonly remove?: boolean | undefined
  /** Strip `user:password@` from URLs inside string values and messages; default true. */
  readonly urls?: boolean | undefined
  /** If redaction fails for an event, write a marker instead of the event; default false. */
  readonly failClosed?: boolean | undefined
}

/** A node of the compiled path trie. */
export class PathNode {
  terminal = false
  readonly children = new Map<string, PathNode>()
  wildcard: PathNode | undefined = undefined
  private readonly merged = new Map<string, PathNode | undefined>()

  /** The node reached through `key`: exact and wildcard branches together. */
  next(key: string): PathNode | undefined {
    const exact = this.children.get(key)
    const wild = this.wildcard
    if (exact === undefined) return wild
    if (wild === undefined) return exact
    let m = this.merged.get(key)
    if (m === undefined) {
      m = mergeNodes(exact, wild)
      if (this.merged.size < 1024) this.merged.set(key, m)
    }
    return m
  }
}

const mergeNodes = (a: PathNode, b: PathNode): PathNode => {
  const out = new PathNode()
  out.terminal = a.terminal || b.terminal
  for (const [k, v] of a.children) out.children.set(k, v)
  for (const [k, v] of b.children) {
    const mine = out.children.get(k)
    out.children.set(k, mine === undefined ? v : mergeNodes(mine, v))
  }
  out.wildcard =
    a.wildcard && b.wildcard ? mergeNodes(a.wildcard, b.wildcard) : (a.wildcard ?? b.wildcard ?? undefined)
  return out
}

export interface CompiledRedaction {
  readonly root: PathNode | undefined
  readonly keys: ReadonlySet<string> | undefined
  readonly censor: string
  readonly remove: boolean
  readonly urls: boolean
  readonly failClosed: boolean
}

const SEGMENT = /^(?:[^.[\]]+|\*)$/

/**
 * Splits `users[*].email` into `["users", "*", "email"]`. Throws a RangeError naming the
 * path when it is malformed (empty segments, unbalanced brackets).
 */
export const parsePath = (path: string): ReadonlyArray<string> => {
  const segments: Array<string> = []
  const re = /([^.[\]]+)|\[(\*|\d+)\]|(\.)/g
  let expectSegment = true
  let last = 0
  for (let m = re.exec(path); m !== null; m = re.exec(path)) {
    if (m.index !== last) break
    last = re.lastIndex
    if (m[3] !== undefined) {
      if (expectSegment) throw new RangeError(`redact path "${path}" has an empty segment`)
      expectSegment = true
    } else if (m[2] !== undefined) {
      if (segments.length === 0) throw new RangeError(`redact path "${path}" cannot start with an index`)
      segments.push(m[2])
      expectSegment = false
    } else {
      if (!expectSegment)
        throw new RangeError(`redact path "${path}" needs a "." between "${segments.at(-1)}" and "${m[1]}"`)
      segments.push(m[1] as string)
      expectSegment = false
    }
  }
  if (
    last !== path.length ||
    segments.length === 0 ||
    expectSegment ||
    !segments.every((s) => SEGMENT.test(s))
  ) {
    throw new RangeError(
      `redact path "${path}" is not a path like password, headers.authorization, *.token or users[*].email`
    )
  }
  return segments
}

export const compile = (options: RedactOptions | undefined): CompiledRedaction | undefined => {
  if (options === undefined) return undefined
  let root: PathNode | undefined
  for (const path of options.paths ?? []) {
    let node = (root ??= new PathNode())
    for (const segment of parsePath(path)) {
      if (segment === "*") node = node.wildcard ??= new PathNode()
      else {
        let child = node.children.get(segment)
        if (child === undefined) node.children.set(segment, (child = new PathNode()))
        node = child
      }
    }
    node.terminal = true
  }
  const keys =
    options.keys !== undefined && options.keys.length > 0
      ? new Set(options.keys.map((k) => k.toLowerCase()))
      : undefined
  return {
    root,
    keys,
    censor: options.censor ?? "[REDACTED]",
    remove: options.remove ?? false,
    urls: options.urls ?? true,
    failClosed: options.failClosed ?? false
  }
}

/** Whether `key` under `node` is redacted: a terminal path or a redacted key name. */
export const matches = (r: CompiledRedaction, node: PathNode | undefined, key: string): boolean =>
  node?.terminal === true || (r.keys !== undefined && (r.keys.has(key) || r.keys.has(key.toLowerCase())))

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi

/** Replaces the `user:password@` part of every URL in `s` with the censor. */
export const stripUrlCredentials = (s: string, censor: string): string =>
  // the shortest string holding credentials is "a://b@"
  s.length >= 6 && s.includes("://") && s.includes("@")
    ? s.replace(URL_CREDENTIALS, (_, scheme: string) => `${scheme}${censor}@`)
    : s

/**
 * The redacted view of a value for structured events: the same reference when nothing
 * underneath matches, otherwise a copy with matched keys censored or removed. Walks at most
 * `maxDepth` levels (deeper values are kept as they are only if no key rule applies; with key
 * rules they are replaced by the censor, so nothing unchecked leaves).
 */
export const redactValue = (
  r: CompiledRedaction,
  value: unknown,
  node: PathNode | undefined,
  depth: number,
  maxDepth: number,
  seen: Array<unknown> = []
): unknown => {
  if (typeof value === "string") return r.urls ? stripUrlCredentials(value, r.censor) : value
  if (typeof value !== "object" || value === null) return value
  if (node === undefined && r.keys === undefined && !r.urls) return value
  if (seen.includes(value)) return value
  if (depth >= maxDepth) return r.keys !== undefined || node !== undefined ? r.censor : value
  if (value instanceof Date || value instanceof Error || ArrayBuffer.isView(value)) return value
  seen.push(value)
  try {
    return redactObject(r, value, node, depth, maxDepth, seen)
  } catch {
    // a value that cannot be inspected (a hostile proxy, a throwing getter) cannot be shown
    // to be free of secrets: withhold it
    return r.censor
  } finally {
    seen.pop()
  }
}

const redactObject = (
  r: CompiledRedaction,
  value: object,
  node: PathNode | undefined,
  depth: number,
  maxDepth: number,
  seen: Array<unknown>
): unknown => {
  {
    if (Array.isArray(value)) {
      let copy: Array<unknown> | undefined
      for (let i = 0; i < value.length; i++) {
        const k = String(i)
        const child = node?.next(k)
        const item = value[i]
        const out =
          child?.terminal === true && item !== undefined
            ? r.censor
            : redactValue(r, item, child, depth + 1, maxDepth, seen)
        if (out !== item) (copy ??= value.slice())[i] = out
      }
      return copy ?? value
    }
    if (value instanceof Map) {
      let changed = false
      const copy = new Map<unknown, unknown>()
      for (const [k, v] of value) {
        const key = typeof k === "string" ? k : undefined
        const child = key === undefined ? undefined : node?.next(key)
        let out: unknown
        if (v !== undefined && key !== undefined && matches(r, child, key)) {
          changed = true
          if (r.remove) continue
          out = r.censor
        } else {
          out = redactValue(r, v, child, depth + 1, maxDepth, seen)
        }
        if (out !== v) changed = true
        copy.set(k, out)
      }
      return changed ? copy : value
    }
    if (value instanceof Set) {
      const items = [...value]
      const out = items.map((item) => redactValue(r, item, node?.wildcard, depth + 1, maxDepth, seen))
      return out.some((o, i) => o !== items[i]) ? new Set(out) : value
    }
    let copy: Record<string, unknown> | undefined
    const src = value as Record<string, unknown>
    const keys = Object.keys(src)
    for (const k of keys) {
      const child = node?.next(k)
      let v: unknown
      try {
        v = src[k]
      } catch {
        continue
      }
      let out: unknown
      let removed = false
      // a key holding undefined is not written, so it is left as it is: a censor must not add it
      if (v !== undefined && matches(r, child, k)) {
        if (r.remove) removed = true
        else out = r.censor
      } else {
        out = redactValue(r, v, child, depth + 1, maxDepth, seen)
      }
      if (removed || out !== v) {
        if (copy === undefined) {
          copy = {}
          for (const key of keys) define(copy, key, safeGet(src, key))
        }
        if (removed) delete copy[k]
        else define(copy, k, out)
      }
    }
    return copy ?? value
  }
}

const safeGet = (o: Record<string, unknown>, k: string): unknown => {
  try {
    return o[k]
  } catch {
    return undefined
  }
}

const define = (o: Record<string, unknown>, k: string, v: unknown) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
