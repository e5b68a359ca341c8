/** Built-in level names in rank order (lowest first). */
export const levelNames = ["trace", "debug", "info", "warn", "error", "fatal", "audit", "security"] as const

export type LevelName = (typeof levelNames)[number]

/**
 * Everything the hot path needs to know about a level, computed once.
 * `rank` orders levels; audit and security rank above fatal so that no
 * threshold short of "off" hides them.
 */
export interface LevelInfo {
  readonly name: LevelName
  readonly rank: number
}

const make = (name: LevelName, rank: number): LevelInfo => Object.freeze({ name, rank })

export const TRACE = make("trace", 10)
export const DEBUG = make("debug", 20)
export const INFO = make("info", 30)
export const WARN = make("warn", 40)
export const ERROR = make("error", 50)
export const FATAL = make("fatal", 60)
export const AUDIT = make("audit", 70)
export const SECURITY = make("security", 80)

export const levels: Readonly<Record<LevelName, LevelInfo>> = Object.freeze({
  trace: TRACE,
  debug: DEBUG,
  info: INFO,
  warn: WARN,
  error: ERROR,
  fatal: FATAL,
  audit: AUDIT,
  security: SECURITY
})

export const isLevelName = (u: unknown): u is LevelName => typeof u === "string" && Object.hasOwn(levels, u)

export const rankOf = (name: LevelName): number => levels[name].rank

const namesByRank: ReadonlyMap<number, LevelName> = new Map(
  levelNames.map((name) => [levels[name].rank, name])
)

/** The built-in level of a rank; undefined for a rank no level has. */
export const nameOfRank = (rank: number): LevelName | undefined => namesByRank.get(rank)
