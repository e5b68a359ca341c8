/**
 * Data minimisation (docs/compliance.md#minimisation): an allow-list of fields per logger
 * name. The list that applies to an event is the one of the most specific category prefix of
 * its logger (as `categoryLevels` does), else the `"*"` list, else none: an event no list
 * covers is left as it is.
 *
 * - "enforce": a field not on the list is left out of the event; each one is counted by its
 *   path (`email`, `http.headers`), and a summary in the log says what was left out.
 * - "report": the event is kept whole; the fields that "enforce" would leave out are counted
 *   the same way and reported on the diagnostics channel, so a team can try a list first.
 *
 * A path is a field name or a dotted path into a nested object (`http.method`); a path into
 * an array applies to each of its objects (`items.sku`). A field on the list with paths
 * below it keeps only those: a value there that is not an object or an array is left out.
 * Always kept: the core keys (the correlation, trace and span ids and the error, when a
 * field fills their slot) and the built-in enrichment the `enrich` setting turns on (it
 * describes the process, not the data). fapilog's own summaries are never minimised.
 *
 * The caller's objects are never changed: an event that loses fields becomes a new record.
 * An event that cannot be read (a value whose reading throws is only left out; this is a
 * list that cannot be walked) is dropped in enforce mode, counted and reported, never
 * written whole.
 */

import { mostSpecific } from "./categories.js"
import { CapturedError } from "./errorInfo.js"
import { safeRead } from "./json.js"
import { INFO } from "./level.js"
import { builtInOrder, type Emit, isSummary, type StageProcessor, summaryRecord } from "./processor.js"
import { Bindings, type Fields, LogRecord } from "./record.js"
import { defaultSummaryIntervalMs } from "./sampling.js"

/** What minimisation does with a field off its list. */
export type MinimiseMode = "enforce" | "report"

export const minimiseModes: ReadonlyArray<MinimiseMode> = ["enforce", "report"]

/** The list of every logger that no more specific key names. */
export const anyLogger = "*"

export interface MinimiseOptions {
  /**
   * The fields each logger may write, by category prefix (`"app.http"` covers `"app.http"`
   * and `"app.http.client"`; the most specific wins) or `"*"` for every other logger: field
   * names and dotted paths into nested objects.
   */
  readonly allow: Readonly<Record<string, ReadonlyArray<string>>>
  /** "enforce" (default): leave the other fields out; "report": keep them, count and report them. */
  readonly mode?: MinimiseMode | undefined
  /** Shortest time between two summaries (default 10,000 ms). */
  readonly summaryIntervalMs?: number | undefined
}

/** The counters of `stats().minimised`. */
export interface MinimisedStats {
  readonly mode: MinimiseMode
  /** Events that had at least one field off their list. */
  readonly events: number
  /** Fields off the list by path: left out ("enforce") or seen and kept ("report"). */
  readonly fields: Readonly<Record<string, number>>
}

/** A path segment's subtree: `true` keeps the whole value. */
type Node = true | Tree
type Tree = ReadonlyMap<string, Node>

/** Paths as a tree; a path that keeps a whole value wins over paths below it. */
export const compilePaths = (paths: ReadonlyArray<string>): Tree => {
  const root = new Map<string, Node>()
  for (const path of paths) {
    const segments = path.split(".")
    let level: Map<string, Node> = root
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i] as string
      const last = i === segments.length - 1
      const at = level.get(s)
      if (at === true) break
      if (last) {
        level.set(s, true)
        break
      }
      const next = at ?? new Map<string, Node>()
      level.set(s, next)
      level = next as Map<string, Node>
    }
  }
  return root
}

/** Keys of user fields that fill a core slot: kept whatever the list says. */
const fillsCore = (key: string, value: unknown): boolean => {
  switch (key) {
    case "correlationId":
    case "traceId":
    case "spanId":
      return typeof value === "string"
    case "error":
    case "err":
      return value instanceof Error || value instanceof CapturedError
    default:
      return false
  }
}

const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null) return false
  try {
    const proto = Object.getPrototypeOf(v)
    return proto === Object.prototype || proto === null
  } catch {
    return false
  }
}

const isList = (v: unknown): v is ReadonlyArray<unknown> => {
  try {
    return Array.isArray(v)
  } catch {
    return false
  }
}

const keysOf = (o: object): ReadonlyArray<string> => {
  try {
    return Object.keys(o)
  } catch {
    return []
  }
}

/** The most distinct paths counted; the rest are counted together under {@link otherPaths}. */
export const maxCountedPaths = 1_000
export const otherPaths = "[other paths]"
const maxPathLength = 200

/** Records the paths one event has off its list (each once per event). */
type Seen = (path: string) => void

/** What `within` returns for a value that is left out. */
const dropped: unique symbol = Symbol("dropped")

/** Arrays nested deeper than this (in one another) are left out: a bound on the walk. */
const maxArrayNesting = 32

/**
 * `value` as the subtree `node` lets through, or `dropped` when none of it is. `keep` false
 * ("report"): only counts, the value is returned as it was.
 */
const within = (
  value: unknown,
  node: Tree,
  path: string,
  seen: Seen,
  keep: boolean,
  nesting = 0
): unknown => {
  if (isList(value)) {
    if (nesting >= maxArrayNesting) {
      seen(path)
      return dropped
    }
    const out: Array<unknown> = []
    let changed = false
    for (const item of value) {
      const kept = within(item, node, `${path}[]`, seen, keep, nesting + 1)
      if (kept === dropped) changed = true
      else {
        if (kept !== item) changed = true
        out.push(kept)
      }
    }
    return changed && keep ? out : value
  }
  if (!isPlain(value)) {
    seen(path)
    return dropped
  }
  const out = filterObject(value, node, `${path}.`, seen, keep)
  return out ?? value
}

/**
 * The own fields of `o` that `tree` lets through, as a new object, or undefined when all of
 * them are (nothing to change). `top`: the keys that fill a core slot are kept.
 */
const filterObject = (
  o: object,
  tree: Tree,
  prefix: string,
  seen: Seen,
  keep: boolean,
  top = false
): Record<string, unknown> | undefined => {
  let out: Record<string, unknown> | undefined
  const keys = keysOf(o)
  const values: Array<unknown> = []
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string
    const v = safeRead(o, k)
    values.push(v)
    const node = tree.get(k)
    let kept: unknown = v
    if (node === undefined) {
      if (!(top && fillsCore(k, v))) {
        seen(`${prefix}${k}`)
        kept = dropped
      }
    } else if (node !== true) kept = within(v, node, `${prefix}${k}`, seen, keep)
    if (!keep) continue
    if (kept !== v && out === undefined) {
      out = {}
      for (let j = 0; j < i; j++) if (values[j] !== undefined) out[keys[j] as string] = values[j]
    }
    if (out !== undefined && kept !== dropped && kept !== undefined) out[k] = kept
  }
  return out
}

/** The sources of user fields a record holds, each filtered; undefined when nothing changes. */
const filterRecord = (r: LogRecord, tree: Tree, seen: Seen, keep: boolean): LogRecord | undefined => {
  const plain = (f: Fields | undefined): Fields | undefined =>
    f === undefined ? undefined : filterObject(f, tree, "", seen, keep, true)
  const bound = (b: Bindings | undefined): Bindings | undefined => {
    if (b === undefined) return undefined
    const out = filterObject(b.fields, tree, "", seen, keep, true)
    return out === undefined ? undefined : Bindings.extend(undefined, out)
  }
  const extra = plain(r.extra)
  const callSite = plain(r.callSite)
  const bindings = bound(r.bindings)
  const context = bound(r.context)
  const annotations = plain(r.annotations)
  const fields = plain(r.fields)
  if (
    extra === undefined &&
    callSite === undefined &&
    bindings === undefined &&
    context === undefined &&
    annotations === undefined &&
    fields === undefined
  )
    return undefined
  const out = new LogRecord(r.time, r.level, r.message, r.logger)
  out.fields = fields ?? r.fields
  out.bindings = bindings ?? r.bindings
  out.context = context ?? r.context
  out.annotations = annotations ?? r.annotations
  out.extra = extra ?? r.extra
  out.callSite = callSite ?? r.callSite
  out.enrichment = r.enrichment
  out.error = r.error
  out.traceId = r.traceId
  out.spanId = r.spanId
  out.spans = r.spans
  out.correlationId = r.correlationId
  out.truncatedTo = r.truncatedTo
  out.idPrefix = r.idPrefix
  out.seq = r.seq
  out.givenId = r.givenId
  return out
}

/** The counters of one minimisation processor, read by `stats()`. */
export interface MinimiseCounters {
  readonly minimised: () => MinimisedStats
}

/**
 * The minimisation processor (see the header). Settings are validated before they reach
 * here. `report` is the diagnostics channel, where report mode says what it would leave out.
 */
export const makeMinimise = (
  options: MinimiseOptions,
  report: (message: string, extra: Record<string, unknown>) => void
): StageProcessor & MinimiseCounters => {
  const mode = options.mode ?? "enforce"
  const keep = mode === "enforce"
  const interval =
    options.summaryIntervalMs !== undefined && options.summaryIntervalMs >= 0
      ? options.summaryIntervalMs
      : defaultSummaryIntervalMs
  const trees = new Map<string, Tree>()
  for (const [prefix, paths] of Object.entries(options.allow)) trees.set(prefix, compilePaths(paths))
  const fallback = trees.get(anyLogger)
  /** The list of each logger name met so far (few names, many events). */
  const byLogger = new Map<string, Tree | null>()
  const treeOf = (logger: string): Tree | undefined => {
    let t = byLogger.get(logger)
    if (t === undefined) {
      t = mostSpecific(logger, (p) => (p === anyLogger ? undefined : trees.get(p))) ?? fallback ?? null
      if (byLogger.size < maxCountedPaths) byLogger.set(logger, t)
    }
    return t ?? undefined
  }

  let events = 0
  const total = new Map<string, number>()
  /** Since the last summary. */
  let windowEvents = 0
  let window = new Map<string, number>()
  let windowStart: number | undefined

  const bump = (m: Map<string, number>, path: string): void => {
    const key = m.has(path) || m.size < maxCountedPaths ? path : otherPaths
    m.set(key, (m.get(key) ?? 0) + 1)
  }

  const summarize = (now: number, emit: Emit, force: boolean): void => {
    if (windowStart === undefined || (!force && now - windowStart < interval)) return
    const fields = Object.fromEntries(window)
    const windowMs = Math.max(0, now - windowStart)
    if (keep)
      emit(
        summaryRecord(now, INFO, "minimisation left fields out", {
          processor: "minimise",
          events: windowEvents,
          fields,
          windowMs
        })
      )
    else
      report(`${windowEvents} event(s) had fields off their allow-list (report mode: kept)`, {
        mode: "report",
        events: windowEvents,
        fields,
        windowMs
      })
    windowEvents = 0
    window = new Map()
    windowStart = undefined
  }

  return {
    name: "minimise",
    order: builtInOrder.minimise,
    // an event it cannot minimise is withheld (and reported), never written whole
    onError: keep ? "drop" : "pass",
    process: (records, now, emit) => {
      let out: Array<LogRecord> | undefined
      for (let i = 0; i < records.length; i++) {
        const r = records[i] as LogRecord
        const tree = isSummary(r) ? undefined : treeOf(r.logger)
        let next: LogRecord | undefined
        if (tree !== undefined) {
          let paths: Set<string> | undefined
          const seen: Seen = (path) => {
            ;(paths ??= new Set()).add(
              path.length > maxPathLength ? `${path.slice(0, maxPathLength)}…` : path
            )
          }
          next = filterRecord(r, tree, seen, keep)
          if (paths !== undefined) {
            events++
            windowEvents++
            windowStart ??= now
            for (const p of paths) {
              bump(total, p)
              bump(window, p)
            }
          }
        }
        if (next !== undefined && out === undefined) out = records.slice(0, i) as Array<LogRecord>
        out?.push(next ?? r)
      }
      summarize(now, emit, false)
      return out ?? records
    },
    tick: (now, emit) => summarize(now, emit, false),
    flush: (now, emit) => summarize(now, emit, true),
    minimised: () => ({ mode, events, fields: Object.fromEntries(total) })
  }
}

// ---------------------------------------------------------------------------------------
// An allow-list from an `effect/Schema`

/** A Schema's fields as allow-list paths; `true`: the whole value (not an object the Schema describes). */
type Described = true | ReadonlyArray<string>

interface AstNode {
  readonly _tag?: unknown
  readonly propertySignatures?: ReadonlyArray<{ readonly name: unknown; readonly type: unknown }>
  readonly from?: unknown
  readonly to?: unknown
  readonly types?: ReadonlyArray<unknown>
  readonly elements?: ReadonlyArray<unknown>
  readonly rest?: ReadonlyArray<unknown>
  readonly typeParameters?: ReadonlyArray<unknown>
  readonly f?: unknown
  readonly thunk?: unknown
}

/** Members of a union that carry no fields (an optional field's `undefined`, a `null`). */
const nothing: ReadonlySet<unknown> = new Set([
  "UndefinedKeyword",
  "Undefined",
  "VoidKeyword",
  "Void",
  "Literal",
  "Null"
])

/** An element of a tuple or an array: the AST itself (Effect 4) or `{ type }` (Effect 3). */
const elementAst = (e: unknown): unknown =>
  typeof e === "object" && e !== null && "type" in e && !("_tag" in e) ? (e as { type: unknown }).type : e

const merge = (parts: ReadonlyArray<Described>): Described => {
  if (parts.length === 0 || parts.some((p) => p === true)) return true
  return [...new Set((parts as ReadonlyArray<ReadonlyArray<string>>).flat())]
}

const describe = (ast: unknown, depth: number): Described => {
  if (depth > 16 || typeof ast !== "object" || ast === null) return true
  const node = ast as AstNode
  switch (node._tag) {
    case "TypeLiteral":
    case "Objects": {
      const out: Array<string> = []
      for (const p of node.propertySignatures ?? []) {
        if (typeof p.name !== "string") continue
        const below = describe(p.type, depth + 1)
        if (below === true || below.length === 0) out.push(p.name)
        else for (const path of below) out.push(`${p.name}.${path}`)
      }
      return out
    }
    case "Refinement":
      return describe(node.from, depth + 1)
    case "Transformation": {
      // the value logged is the decoded side; a class's decoded side is its declaration
      const to = node.to as AstNode | undefined
      return describe(to?._tag === "Declaration" ? node.from : to, depth + 1)
    }
    case "Declaration":
      return node.typeParameters?.length === 1 ? describe(node.typeParameters[0], depth + 1) : true
    case "Union": {
      const members = (node.types ?? []).filter((t) => !nothing.has((t as AstNode)?._tag))
      return merge(members.map((t) => describe(t, depth + 1)))
    }
    case "TupleType":
    case "Arrays":
      return merge(
        [...(node.elements ?? []), ...(node.rest ?? [])].map((e) => describe(elementAst(e), depth + 1))
      )
    case "Suspend": {
      const f = typeof node.f === "function" ? node.f : node.thunk
      return typeof f === "function" ? describe((f as () => unknown)(), depth + 1) : true
    }
    default:
      return true
  }
}

/**
 * The allow-list paths of a Schema of an event's fields: its field names, and dotted paths
 * into the fields it describes as objects (arrays of objects included), on either Effect
 * line. A Schema that describes no object gives undefined.
 */
export const schemaPaths = (schema: { readonly ast: unknown }): ReadonlyArray<string> | undefined => {
  let described: Described
  try {
    described = describe(schema.ast, 0)
  } catch {
    return undefined
  }
  return described === true ? undefined : described
}
