/**
 * The declarations of the Effect 4 build (effect4/declarations.ts): what they are for modules
 * that type-check against Effect 4, and that they are refused for a module that does not, or
 * whose declarations would import a module an application of the package does not have. The
 * whole package's are checked by the pack-and-install test once the build writes them.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { writeDeclarations } from "../../effect4/declarations.js"
import { repoDir } from "../../effect4/resolution.js"

const dirs: Array<string> = []
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-effect4-declarations-"))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

/** Whether writing the declarations of `entries` fails; its message when it does. */
const refusal = (entries: Readonly<Record<string, string>>): Promise<string> =>
  writeDeclarations(entries, { outDir: tempDir() }).then(
    (files) => assert.fail(`declarations were written: ${[...files.keys()].join(", ")}`),
    (error: unknown) => String(error)
  )

describe("the Effect 4 line's declarations", () => {
  it("are one file per entry, naming Effect 4's modules where the sources name the overlay's", async () => {
    const outDir = tempDir()
    const files = await writeDeclarations(
      {
        retry: path.join(repoDir, "src", "internal", "retry.ts"),
        errors: path.join(repoDir, "src", "Errors.ts")
      },
      { outDir }
    )
    assert.deepStrictEqual([...files.keys()].sort(), ["errors.d.ts", "retry.d.ts"])
    assert.deepStrictEqual(fs.readdirSync(outDir).sort(), ["errors.d.ts", "retry.d.ts"])
    // retry.ts takes `Schedule` from the overlay (it uses Effect 3's names): its declarations
    // name Effect 4's module, as the application has it
    const retry = files.get("retry.d.ts") ?? ""
    assert.include(retry, "import { Schedule } from 'effect/Schedule';")
    assert.include(retry, "declare const retrySchedule: (o: RetryOptions) => Schedule<unknown>;")
    assert.notMatch(retry, /overlay|\.\.\//)
    // a type TypeScript infers names the module it comes from
    assert.include(files.get("errors.d.ts") ?? "", "from 'effect/Cause'")
  })

  it("are refused for a module that does not type-check against Effect 4", async () => {
    const file = path.join(tempDir(), "mistyped.ts")
    fs.writeFileSync(file, 'export const count: number = "one"\n')
    const message = await refusal({ mistyped: file })
    assert.include(message, "do not type-check against Effect 4")
    assert.include(message, "mistyped.ts(1,14): error TS2322")
  })

  it("are refused when they would import a module the package's applications lack", async () => {
    const file = path.join(tempDir(), "tooling.ts")
    fs.writeFileSync(file, 'import type { Mock } from "vitest"\nexport type Spy = Mock\n')
    const message = await refusal({ tooling: file })
    assert.include(message, "vitest (not the package's peer (`effect`))")
  })
})
