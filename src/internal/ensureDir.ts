import * as fs from "node:fs"
import * as path from "node:path"

/**
 * Creates `dir` and its missing parents, one component at a time. Node 20's
 * `mkdirSync(dir, { recursive: true })` never returns on some file systems (procfs answers
 * ENOENT forever), so the walk is ours and every error is thrown at once.
 */
export const ensureDir = (dir: string): void => {
  const missing: Array<string> = []
  let current = path.resolve(dir)
  while (!fs.existsSync(current)) {
    missing.push(current)
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      fs.mkdirSync(missing[i] as string, { mode: 0o750 })
    } catch (e) {
      // another logger created it between the check and the call: that is fine
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || !fs.statSync(missing[i] as string).isDirectory())
        throw e
    }
  }
}
