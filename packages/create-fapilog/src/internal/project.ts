/**
 * Writing a generated project into its directory: created when missing; refused when it
 * holds anything, unless `--force` (then the project's files replace any of the same name
 * and everything else is left alone).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { UsageError } from "./answers.js"
import type { ProjectFile } from "./template.js"

/** The entries of a directory, or none when it does not exist; an error when the path is a file. */
const entriesOf = (dir: string): ReadonlyArray<string> => {
  let stat: fs.Stats
  try {
    stat = fs.statSync(dir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return []
    throw e
  }
  if (!stat.isDirectory()) throw new UsageError(`[directory]: ${dir} exists and is not a directory`)
  return fs.readdirSync(dir).sort()
}

/** Writes the files under `dir`; refuses a non-empty `dir` unless `force`. */
export const writeProject = (
  dir: string,
  files: ReadonlyArray<ProjectFile>,
  options: { readonly force: boolean }
): void => {
  const entries = entriesOf(dir)
  if (entries.length > 0 && !options.force) {
    const shown = entries.length > 5 ? `${entries.slice(0, 5).join(", ")}, ...` : entries.join(", ")
    throw new UsageError(
      `[directory]: ${dir} is not empty (${shown}); accepted: a new or empty directory, or --force to write into it`
    )
  }
  for (const file of files) {
    const target = path.join(dir, ...file.path.split("/"))
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, file.content)
  }
}
