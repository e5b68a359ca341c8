/**
 * Categories and their levels. A logger's name is a category path, segments joined with "."
 * (`"app.db.pool"`); a level set for a category prefix covers the category and everything
 * below it, on segment boundaries (`"app.db"` covers `"app.db.pool"`, not `"app.dbx"`), and the
 * most specific prefix wins; a category no prefix covers has the default level.
 *
 * State machine of {@link CategoryLevels}: every change (`set`) bumps `version` and recomputes
 * `minRank`, the lowest rank of the default and of every category level: an event below it is
 * written by no category, so callers keep their one-comparison early-out against it. A caller
 * that knows its category (a Promise logger) caches the rank it resolved with the version it
 * resolved it at and asks again only when the version moved; a caller that finds its category
 * at each call (an Effect fiber's) asks {@link CategoryLevels.scoped}, whose map of resolved
 * categories is emptied at every change.
 */
import { show } from "./configSchema.js"
import { type LevelName, levels, nameOfRank } from "./level.js"

/** A category as code may write it: a dotted path or its segments. */
export type CategoryPath = string | ReadonlyArray<string>

/** What a category path must be, for messages. */
export const categoryRule =
  'a category: "."-separated non-empty segments, such as "app.db", or a list of segments'

/** `Array.isArray`, false for a value it throws on (a revoked proxy given as a child's bindings). */
const isList = (u: unknown): u is ReadonlyArray<unknown> => {
  try {
    return Array.isArray(u)
  } catch {
    return false
  }
}

/** Whether `u` is written as a category path (a string or a list of segments), not as fields. */
export const isCategoryPath = (u: unknown): u is CategoryPath => typeof u === "string" || isList(u)

/**
 * The dotted form of a category path, or a message saying what is wrong with it (a string
 * with an empty segment, an empty list, a segment that is empty, not a string or holds ".").
 */
export const categoryOf = (path: unknown): string | { readonly problem: string } => {
  if (typeof path === "string") {
    if (path.length === 0 || path.split(".").some((s) => s.length === 0))
      return { problem: `${show(path)} is not ${categoryRule}` }
    return path
  }
  if (isList(path)) {
    if (path.length === 0) return { problem: `[] is not ${categoryRule}` }
    for (const segment of path as ReadonlyArray<unknown>) {
      if (typeof segment !== "string" || segment.length === 0 || segment.includes("."))
        return {
          problem: `${show(segment)} is not a category segment (a non-empty string without ".")`
        }
    }
    return path.join(".")
  }
  return { problem: `${show(path)} is not ${categoryRule}` }
}

/** The dotted form of a category path given to `argument` of a call; a TypeError naming it otherwise. */
export const categoryArgument = (path: unknown, argument: string): string => {
  const c = categoryOf(path)
  if (typeof c === "string") return c
  throw new TypeError(`fapilog: ${argument}: ${c.problem}`)
}

/** `relative` below `parent`. */
export const subCategory = (parent: string, relative: string): string => `${parent}.${relative}`

/** Whether `u` is a category in its dotted form (a settings value, a sink's category list). */
export const isCategory = (u: unknown): u is string =>
  typeof u === "string" && typeof categoryOf(u) === "string"

/** Whether `prefix` covers `category`: the same path, or an ancestor of it. */
export const covers = (prefix: string, category: string): boolean =>
  category === prefix ||
  (category.length > prefix.length && category.startsWith(prefix) && category[prefix.length] === ".")

/**
 * What `lookup` gives for the most specific prefix of `category` it knows (the category
 * itself, then each ancestor), or undefined when it knows none.
 */
export const mostSpecific = <A>(
  category: string,
  lookup: (prefix: string) => A | undefined
): A | undefined => {
  let path = category
  for (;;) {
    const found = lookup(path)
    if (found !== undefined) return found
    const dot = path.lastIndexOf(".")
    if (dot < 0) return undefined
    path = path.slice(0, dot)
  }
}

/** The level of every category prefix that has one. */
export type CategoryLevelMap = Readonly<Record<string, LevelName>>

/** The default level and the category levels in force. */
export interface LevelState {
  /** The level of every category no category level covers. */
  readonly level: LevelName
  /** The level of each category prefix that has one. */
  readonly categories: CategoryLevelMap
}

/** The level a call in `category` is held to under `state`. */
export const levelIn = (state: LevelState, category: string): LevelName =>
  mostSpecific(category, (prefix) =>
    Object.hasOwn(state.categories, prefix) ? state.categories[prefix] : undefined
  ) ?? state.level

/** A category and the rank a call in it must reach, as of the version it was resolved at. */
export interface ResolvedCategory {
  /** The full path, written in the event's `logger` key. */
  readonly name: string
  readonly rank: number
}

/** The levels of one pipeline: the default, the category prefixes, and what callers cache. */
export class CategoryLevels {
  /** The lowest rank any category writes: nothing below it is written anywhere. */
  minRank: number
  /** Bumped by every change, so that cached ranks know when to resolve again. */
  version = 0
  private base: number
  private readonly prefixes = new Map<string, number>()
  /** Categories relative to `root` (Effect's scopes), resolved since the last change. */
  private scopes = new Map<string, ResolvedCategory>()
  private rootScope: ResolvedCategory | undefined = undefined

  constructor(
    /** The logger's name: the category every other one is below. */
    readonly root: string,
    level: LevelName,
    categories: CategoryLevelMap | undefined
  ) {
    this.base = levels[level].rank
    for (const [category, l] of Object.entries(categories ?? {})) this.prefixes.set(category, levels[l].rank)
    this.minRank = this.lowest()
  }

  /** The default level (`category` undefined), or the level of the prefix `category`. */
  set(level: LevelName, category?: string | undefined): void {
    if (category === undefined) this.base = levels[level].rank
    else this.prefixes.set(category, levels[level].rank)
    this.minRank = this.lowest()
    this.scopes = new Map()
    this.rootScope = undefined
    this.version++
  }

  /** The rank a call in `category` must reach: its most specific prefix's, else the default's. */
  rankOf(category: string): number {
    if (this.prefixes.size === 0) return this.base
    return mostSpecific(category, (prefix) => this.prefixes.get(prefix)) ?? this.base
  }

  /**
   * The category `relative` to the root (the root itself when undefined) and its rank: one map
   * lookup per call, resolved again after a change.
   */
  scoped(relative: string | undefined): ResolvedCategory {
    if (relative === undefined) return (this.rootScope ??= { name: this.root, rank: this.rankOf(this.root) })
    const known = this.scopes.get(relative)
    if (known !== undefined) return known
    const name = subCategory(this.root, relative)
    const resolved: ResolvedCategory = { name, rank: this.rankOf(name) }
    // bounded: categories are names in code, but a program could make them from data
    if (this.scopes.size >= 1024) this.scopes.clear()
    this.scopes.set(relative, resolved)
    return resolved
  }

  /** The default level: that of every category no prefix covers. */
  defaultLevel(): LevelName {
    return nameOfRank(this.base) ?? "info"
  }

  /** The default level and every category level. */
  state(): LevelState {
    const categories: Record<string, LevelName> = {}
    for (const category of [...this.prefixes.keys()].sort())
      categories[category] = nameOfRank(this.prefixes.get(category) as number) ?? "info"
    return { level: this.defaultLevel(), categories }
  }

  private lowest(): number {
    let min = this.base
    for (const rank of this.prefixes.values()) if (rank < min) min = rank
    return min
  }
}

/** Which loggers a sink takes: those in one of `include` (all when undefined) and in none of `exclude`. */
export interface CategorySelection {
  readonly include?: ReadonlyArray<string> | undefined
  readonly exclude?: ReadonlyArray<string> | undefined
}

/**
 * The test of a selection, with the answer remembered per logger name (a process has few),
 * up to a bound so that generated names cannot grow memory.
 */
export const categoryTest = (selection: CategorySelection): ((logger: string) => boolean) => {
  const include = selection.include
  const exclude = selection.exclude ?? []
  const decide = (logger: string): boolean =>
    (include === undefined || include.some((c) => covers(c, logger))) &&
    !exclude.some((c) => covers(c, logger))
  const known = new Map<string, boolean>()
  return (logger) => {
    let answer = known.get(logger)
    if (answer === undefined) {
      answer = decide(logger)
      if (known.size < 1_000) known.set(logger, answer)
    }
    return answer
  }
}
