/**
 * create-fapilog end to end in process: flags only, `--yes` with defaults, the questions asked
 * on a terminal (with a wrong answer explained and asked again), and every usage mistake
 * (exit code 2 and a message naming the flag): an unknown flag, a value that is not
 * accepted, an HTTP integration that does not fit, missing answers without a terminal, stdin
 * ending mid-way, and a non-empty directory without `--force`.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { PassThrough } from "node:stream"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { run } from "../src/Create.js"

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "create-fapilog-test-"))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))
let n = 0
const freshDir = (): string => {
  const dir = path.join(scratch, `case-${n++}`)
  fs.mkdirSync(dir)
  return dir
}

/** A text sink for stdout or stderr. */
const collector = () => {
  const stream = new PassThrough()
  let text = ""
  stream.setEncoding("utf8")
  stream.on("data", (chunk: string) => {
    text += chunk
  })
  return { stream, text: () => text }
}

/**
 * Runs create-fapilog in `cwd`. With `answers`, stdin is a terminal that types the next answer
 * each time a question is asked, and ends when there is none left.
 */
const create = async (cwd: string, argv: ReadonlyArray<string>, answers?: ReadonlyArray<string>) => {
  const stdout = collector()
  const stderr = collector()
  const stdin = Object.assign(new PassThrough(), { isTTY: answers !== undefined })
  const typed = [...(answers ?? [])]
  let asked = 0
  stdout.stream.on("data", () => {
    const questions = stdout.text().split("? ").length - 1
    while (asked < questions) {
      asked++
      const next = typed.shift()
      if (next === undefined) stdin.end()
      else stdin.write(`${next}\n`)
    }
  })
  const code = await run(argv, { cwd, stdin, stdout: stdout.stream, stderr: stderr.stream })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

const read = (dir: string, file: string): string => fs.readFileSync(path.join(dir, file), "utf8")

describe("create-fapilog", () => {
  it("writes the project the flags describe, into the directory given", async () => {
    const cwd = freshDir()
    const result = await create(cwd, [
      "svc",
      "--name",
      "billing",
      "--api",
      "promise",
      "--effect",
      "4",
      "--http",
      "fastify",
      "--sinks",
      "stderr",
      "--redaction",
      "none"
    ])
    assert.deepStrictEqual(result, {
      code: 0,
      stdout:
        "Wrote billing in svc: Promise API, Effect 4, HTTP fastify, sinks stderr, redaction none.\n\nNext:\n  cd svc\n  npm install\n  npm start\n",
      stderr: ""
    })
    const dir = path.join(cwd, "svc")
    assert.sameMembers(fs.readdirSync(dir), [
      ".gitignore",
      "README.md",
      "package.json",
      "src",
      "tsconfig.json"
    ])
    assert.strictEqual((JSON.parse(read(dir, "package.json")) as { name: string }).name, "billing")
    assert.include(read(dir, "src/main.ts"), 'from "fapilog-effect4/fastify"')
    assert.include(read(dir, "src/logging.ts"), 'sinks: ["stderr"],')
  })

  it("takes the defaults with --yes, the name from the directory", async () => {
    const cwd = freshDir()
    const result = await create(cwd, ["inventory", "--yes", "--http", "platform"])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(
      result.stdout,
      "Wrote inventory in inventory: Effect API, Effect 3, HTTP platform, sinks stdout, redaction secrets."
    )
    const logging = read(path.join(cwd, "inventory"), "src/logging.ts")
    assert.include(logging, 'name: "inventory",')
    assert.include(logging, "redact: Settings.presets.production.redact")
    // no directory: the service name's
    const named = await create(cwd, ["--yes", "--name", "payments"])
    assert.strictEqual(named.code, 0, named.stderr)
    assert.isTrue(fs.existsSync(path.join(cwd, "payments", "src", "main.ts")))
  })

  it("asks on a terminal for what the flags do not give, again after a wrong answer", async () => {
    const cwd = freshDir()
    const result = await create(
      cwd,
      ["shop", "--redaction", "hardened"],
      ["", "promise", "5", "4", "platform", "express", "stdout,file"]
    )
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(result.stdout, "? Service name [shop]: ")
    assert.include(result.stdout, "? API (effect, promise) [effect]: ")
    assert.include(
      result.stdout,
      '  --effect: "5" is not accepted; accepted: 3, 4\n? Effect major version (3, 4) [3]: '
    )
    // the HTTP question offers what fits the API and Effect major given before
    assert.include(
      result.stdout,
      '? HTTP framework (none, express, fastify) [none]:   --http: "platform" is not accepted with --api promise --effect 4; accepted: none, express, fastify'
    )
    assert.notInclude(result.stdout, "Redaction preset")
    assert.include(
      result.stdout,
      "Wrote shop in shop: Promise API, Effect 4, HTTP express, sinks stdout, file, redaction hardened."
    )
    const dir = path.join(cwd, "shop")
    assert.include(read(dir, "src/main.ts"), 'from "fapilog-effect4/express"')
    assert.include(read(dir, "src/logging.ts"), "redact: Settings.presets.hardened.redact")
  })

  it("stops with exit code 2 and the flag's accepted values on a mistake", async () => {
    const cwd = freshDir()
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--yes", "--api", "callbacks"], '--api: "callbacks" is not accepted; accepted: effect, promise'],
      [["--yes", "--verbose"], "--verbose is not an option; accepted:"],
      [
        ["--yes", "--effect", "4", "--http", "platform"],
        '--http: "platform" is not accepted with --api effect --effect 4; accepted: none, effect-http'
      ],
      [
        ["--yes", "--sinks", "kafka"],
        '--sinks: "kafka" is not accepted; accepted: a comma list of stdout, stderr, file'
      ],
      [
        ["--name", "x"],
        "stdin is not a terminal, so the questions cannot be asked: give --yes (the defaults for what is not given) or --api, --effect, --http, --sinks, --redaction"
      ]
    ]
    for (const [argv, message] of cases) {
      const result = await create(cwd, argv)
      assert.strictEqual(result.code, 2, argv.join(" "))
      assert.include(result.stderr, `create-fapilog: ${message}`)
      assert.include(result.stderr, "Run create-fapilog --help for the options.")
      assert.strictEqual(result.stdout, "")
    }
    assert.deepStrictEqual(fs.readdirSync(cwd), [], "nothing is written on a mistake")
  })

  it("stops with exit code 2 when stdin ends before every question is answered", async () => {
    const cwd = freshDir()
    const result = await create(cwd, ["app"], ["orders"])
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, "create-fapilog: stdin ended before every question was answered")
    assert.deepStrictEqual(fs.readdirSync(cwd), [])
  })

  it("refuses a directory that is not empty unless --force", async () => {
    const cwd = freshDir()
    fs.mkdirSync(path.join(cwd, "app"))
    fs.writeFileSync(path.join(cwd, "app", "notes.txt"), "keep me\n")
    const refused = await create(cwd, ["app", "--yes"])
    assert.strictEqual(refused.code, 2)
    assert.include(
      refused.stderr,
      `create-fapilog: [directory]: ${path.join(cwd, "app")} is not empty (notes.txt); accepted: a new or empty directory, or --force to write into it`
    )
    assert.deepStrictEqual(fs.readdirSync(path.join(cwd, "app")), ["notes.txt"])
    const forced = await create(cwd, ["app", "--yes", "--force"])
    assert.strictEqual(forced.code, 0, forced.stderr)
    assert.strictEqual(read(path.join(cwd, "app"), "notes.txt"), "keep me\n")
    assert.isTrue(fs.existsSync(path.join(cwd, "app", "src", "main.ts")))
    // a file where the directory should be
    const file = await create(cwd, ["app/notes.txt", "--yes", "--force"])
    assert.strictEqual(file.code, 2)
    assert.include(file.stderr, "is not a directory")
  })

  it("prints the usage with --help", async () => {
    const result = await create(freshDir(), ["--help"])
    assert.strictEqual(result.code, 0)
    assert.match(result.stdout, /^Usage: npm create fapilog@latest \[directory\] -- \[options\]/)
  })
})
