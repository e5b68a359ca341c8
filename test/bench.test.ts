import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

// The bench is not run here (no timed assertions in the suite); it must at least compile.
describe("bench", () => {
  it("bench/*.ts typecheck", { timeout: 180_000 }, () => {
    const result = spawnSync(
      process.execPath,
      [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "bench/tsconfig.json", "--noEmit"],
      { cwd: root, encoding: "utf8", timeout: 170_000 }
    )
    assert.strictEqual(result.status, 0, `${result.stdout}${result.stderr}`)
  })
})
