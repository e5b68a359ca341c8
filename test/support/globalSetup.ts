/**
 * Runs once before the test files: the scratch directory `.tmp/` inside the repository
 * (ignored by git) must exist, since tests that run scripts or write fixtures create their
 * own directories in it, and a fresh clone has none.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
  fs.mkdirSync(path.join(root, ".tmp"), { recursive: true })
}
