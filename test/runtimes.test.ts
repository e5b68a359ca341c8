/**
 * fapilog on Bun and Deno: the packed package (what `npm install fapilog` gives, `prepack`
 * building it) installed into a scratch project with `effect` and `express`, and one program
 * (test/support/runtimeSmoke.mjs) run there by Node, Bun and Deno in turn: the facade writing
 * into a file (a child logger included), the Effect layer (`Effect.log` through `FapilogLive`)
 * to stdout, and the Express middleware serving one request on loopback with its access line
 * in a second file. Each line read back must be the one Node writes.
 *
 * The runtimes are the root devDependencies `bun` and `deno` (their platform binaries come
 * through optionalDependencies); a missing binary fails the test, and the versions must be the
 * ones the README names.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import {
  consumerEnv,
  describeRun,
  lines,
  pack,
  removeTempDirs,
  repoRoot,
  run,
  scratchProject
} from "./support/pack.js"

afterAll(removeTempDirs)

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
  readonly devDependencies: Readonly<Record<string, string>>
}
const installedVersion = (name: string): string =>
  (
    JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", name, "package.json"), "utf8")) as {
      readonly version: string
    }
  ).version

interface Runtime {
  readonly name: "node" | "bun" | "deno"
  /** What `<binary> --version` prints first, for the version check. */
  readonly version: RegExp | undefined
  readonly command: string
  readonly args: (script: string, outDir: string) => ReadonlyArray<string>
}

const bin = (name: string): string => path.join(repoRoot, "node_modules", ".bin", name)
const runtimes: ReadonlyArray<Runtime> = [
  { name: "node", version: undefined, command: process.execPath, args: (s, o) => [s, "node", o] },
  {
    name: "bun",
    version: new RegExp(`^${manifest.devDependencies.bun?.replace(/\./g, "\\.")}$`),
    command: bin("bun"),
    args: (s, o) => [s, "bun", o]
  },
  {
    name: "deno",
    version: new RegExp(`^deno ${manifest.devDependencies.deno?.replace(/\./g, "\\.")} `),
    command: bin("deno"),
    // what the program touches: its files, the environment (settings) and loopback, no more
    args: (s, o) => [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net=127.0.0.1",
      s,
      "deno",
      o
    ]
  }
]

const parse = (line: string, what: string): Record<string, unknown> => {
  const parsed = JSON.parse(line) as unknown
  assert.isTrue(
    typeof parsed === "object" && parsed !== null && !Array.isArray(parsed),
    `${what} is not a JSON object: ${line}`
  )
  return parsed as Record<string, unknown>
}

/** The line without its timestamp, after checking the timestamp is ISO-8601 UTC with ms. */
const withoutTimestamp = (event: Record<string, unknown>, what: string): Record<string, unknown> => {
  const { timestamp, ...rest } = event
  assert.match(String(timestamp), ISO_TIMESTAMP, `${what}: timestamp`)
  return rest
}

let scratch = ""

beforeAll(async () => {
  const { tarball } = await pack()
  scratch = await scratchProject([tarball, `express@${installedVersion("express")}`])
  fs.copyFileSync(
    path.join(repoRoot, "test", "support", "runtimeSmoke.mjs"),
    path.join(scratch, "runtimeSmoke.mjs")
  )
}, 300_000)

describe("the packed package on each runtime", () => {
  it("the README names the Bun and Deno versions tested", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")
    assert.include(readme, `Bun ${manifest.devDependencies.bun}`)
    assert.include(readme, `Deno ${manifest.devDependencies.deno}`)
  })

  for (const runtime of runtimes) {
    it(`${runtime.name}: facade and file sink, Effect layer, Express middleware`, {
      timeout: 120_000
    }, async () => {
      assert.isTrue(fs.existsSync(runtime.command), `${runtime.command} is missing: run npm ci`)
      const env = consumerEnv({ DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" })
      if (runtime.version !== undefined) {
        const v = await run(runtime.command, ["--version"], { cwd: scratch, env, timeoutMs: 30_000 })
        assert.match(lines(v.stdout)[0] ?? "", runtime.version, describeRun(v))
      }
      const outDir = path.join(scratch, `out-${runtime.name}`)
      const r = await run(runtime.command, runtime.args("runtimeSmoke.mjs", outDir), {
        cwd: scratch,
        env,
        timeoutMs: 90_000
      })
      const context = `\n${describeRun(r)}`
      assert.isTrue(r.status === 0 && !r.timedOut && r.error === undefined, `the program failed${context}`)
      assert.strictEqual(r.stderr, "", `the program wrote to stderr${context}`)

      // the Effect layer's line on stdout
      assert.deepStrictEqual(
        lines(r.stdout).map((l) => withoutTimestamp(parse(l, "stdout line"), "stdout line")),
        [{ level: "info", logger: "app", message: "effect line", runtime: runtime.name }],
        context
      )

      // the facade's lines, read back from its file
      const facade = lines(fs.readFileSync(path.join(outDir, "facade.log"), "utf8"))
      assert.deepStrictEqual(
        facade.map((l) => withoutTimestamp(parse(l, "facade.log line"), "facade.log line")),
        [
          {
            level: "info",
            logger: `facade-${runtime.name}`,
            message: "facade line",
            runtime: runtime.name,
            n: 1,
            nested: { ok: true }
          },
          { level: "warn", logger: `facade-${runtime.name}`, message: "child line", requestId: "r-1", k: "v" }
        ]
      )

      // the access line of the one request
      const access = lines(fs.readFileSync(path.join(outDir, "http.log"), "utf8")).map((l) =>
        withoutTimestamp(parse(l, "http.log line"), "http.log line")
      )
      assert.strictEqual(access.length, 1, access.join("\n"))
      const { correlationId, http, ...rest } = access[0]!
      assert.deepStrictEqual(rest, {
        level: "info",
        logger: `http-${runtime.name}`,
        message: "request completed"
      })
      assert.match(String(correlationId), /^[0-9a-f]{32}$/)
      const { durationMs, userAgent, ...exchange } = http as Record<string, unknown>
      assert.deepStrictEqual(exchange, {
        method: "GET",
        path: `/hello/${runtime.name}`,
        status: 200,
        route: "/hello/:who",
        responseBytes: JSON.stringify({ hello: runtime.name }).length,
        clientIp: "127.0.0.1"
      })
      assert.isTrue(typeof durationMs === "number" && durationMs >= 0, `durationMs: ${String(durationMs)}`)
      assert.isString(userAgent)
    })
  }
})
