/**
 * Categories: a logger name is a dotted path ("app.db.pool"), and a category names that
 * logger and every logger below it, on segment boundaries: "app.db" takes "app.db" and
 * "app.db.pool", not "app.dbx".
 */

/** Whether `logger` is `category` or below it. */
export const inCategory = (logger: string, category: string): boolean =>
  logger === category ||
  (logger.length > category.length &&
    logger.charCodeAt(category.length) === 46 &&
    logger.startsWith(category))

/** A category as settings accept it: non-empty dot-separated segments, none of them empty. */
export const isCategory = (u: unknown): u is string =>
  typeof u === "string" && u.length > 0 && u.split(".").every((segment) => segment.length > 0)

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
    (include === undefined || include.some((c) => inCategory(logger, c))) &&
    !exclude.some((c) => inCategory(logger, c))
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
