/**
 * What the tests of the browser builds share (test/browser for `fapilog`, test/effect4/browser
 * for `fapilog-effect4`): bundling an app for the browser as its bundler would, finding the Node
 * built-ins in a bundle, and the page test in Debian's chromium (headless, driven by
 * playwright-core): a page served on loopback whose script, bundled from the package's browser
 * build, logs through fapilog's HTTP sink into a collector on another origin (so the CORS
 * preflight, when one is needed, is part of it). Every line must arrive once, as valid JSON with the values of its
 * call: after a flush, from the Effect layer, and when the page is left with lines still
 * buffered (the `pagehide` flush and `keepalive` requests). Keepalive requests carry a type
 * that needs no CORS preflight; with keepalive off the NDJSON type goes after a preflight.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { type Browser, chromium, type Page } from "playwright-core"

/**
 * Bundles `source`, an app in `resolveDir` (its packages are found from there, by their
 * exports), for the browser as an app's bundler would: everything in one ES module. With
 * `platform: "neutral"` only the `conditions` given pick the build, as for an edge runtime.
 */
export const bundleForBrowser = (
  source: string,
  resolveDir: string,
  options: {
    readonly conditions?: ReadonlyArray<string> | undefined
    readonly minify?: boolean | undefined
    readonly platform?: "browser" | "neutral" | undefined
  } = {}
) =>
  esbuild.build({
    stdin: { contents: source, resolveDir, sourcefile: "app.ts", loader: "ts" },
    bundle: true,
    platform: options.platform ?? "browser",
    ...(options.platform === "neutral" ? { mainFields: ["module", "main"] } : {}),
    format: "esm",
    target: "es2022",
    conditions: [...(options.conditions ?? [])],
    minify: options.minify ?? false,
    write: false,
    metafile: true,
    logLevel: "silent",
    // as an app's bundler would: not through this repository's tsconfig paths (fapilog -> src)
    tsconfigRaw: "{}"
  })

/** The Node built-ins a bundle takes in, and anything it left external (each as `importer -> module`). */
export const nodeInputs = (metafile: esbuild.Metafile): Array<string> =>
  Object.entries(metafile.inputs).flatMap(([file, input]) => [
    ...(file.startsWith("node:") ? [file] : []),
    ...input.imports
      .filter((i) => i.path.startsWith("node:") || i.external === true)
      .map((i) => `${file} -> ${i.path}`)
  ])

/** Debian's chromium binary (the `chromium` package, installed by .ci/run). */
export const executablePath = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].find((p) =>
  fs.existsSync(p)
)

/**
 * The page's script, an app of `packageName` (`fapilog` or `fapilog-effect4`, whose browser
 * builds have the same API): `window.fapilogTest` runs each scenario of {@link browserPageSuite}.
 */
export const pageScript = (packageName: string): string => `
import { Effect } from "effect"
import { createLogger, Fapilog } from "${packageName}"

const collector = new URLSearchParams(location.search).get("collector")
const http = (maxWaitMs) => ({ type: "http", url: collector, batch: { maxWaitMs } })

window.fapilogTest = {
  // n lines, then flush: all delivered by then
  facade: async (run, n) => {
    const log = await createLogger({ name: "page", sinks: [http(60000)] })
    const child = log.child({ run })
    for (let i = 0; i < n; i++) child.info("line " + i, { seq: i, text: "naïve \\"quoted\\" ✓", nested: { ok: true } })
    await log.flush()
    await log.close()
  },
  // n lines with keepalive off (NDJSON, after a CORS preflight), then flush
  unkept: async (run, n) => {
    const log = await createLogger({ name: "page", sinks: [{ ...http(60000), keepalive: false }] })
    for (let i = 0; i < n; i++) log.info("unkept " + i, { seq: i, run })
    await log.flush()
    await log.close()
  },
  // n lines left in the buffer: the page is then left, and the pagehide flush sends them
  buffered: async (run, n) => {
    window.openLogger = await createLogger({ name: "page", sinks: [http(60000)] })
    for (let i = 0; i < n; i++) window.openLogger.warn("buffered " + i, { seq: i, run })
  },
  effect: (run, n) =>
    Effect.runPromise(
      Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
        i % 2 === 0 ? Effect.log("effect " + i).pipe(Effect.annotateLogs({ seq: i, run })) : Fapilog.info("effect " + i, { seq: i, run })
      ).pipe(Effect.provide(Fapilog.layer({ name: "page", sinks: [http(60000)] })))
    ),
  fileSink: () =>
    createLogger({ sinks: [{ type: "file", path: "app.log" }] }).then(
      () => "created",
      (e) => String(e.message)
    )
}
window.fapilogReady = true
`

export interface Collector {
  readonly url: string
  readonly lines: Array<string>
  readonly preflights: Array<string>
  /** The content type of each POST, with the runs of its lines. */
  readonly posts: Array<{ readonly contentType: string; readonly runs: ReadonlyArray<string> }>
  readonly close: () => Promise<void>
}

export const listen = (server: http.Server): Promise<string> =>
  new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
  )

export const startCollector = async (): Promise<Collector> => {
  const lines: Array<string> = []
  const preflights: Array<string> = []
  const posts: Array<{ contentType: string; runs: Array<string> }> = []
  const server = http.createServer((req, res) => {
    const cors = {
      "access-control-allow-origin": req.headers.origin ?? "*",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "content-type"
    }
    if (req.method === "OPTIONS") {
      preflights.push(req.headers["access-control-request-method"] ?? "")
      res.writeHead(204, cors).end()
      return
    }
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const runs = new Set<string>()
      for (const line of Buffer.concat(chunks).toString("utf8").split("\n"))
        if (line !== "") {
          lines.push(line)
          try {
            runs.add(String((JSON.parse(line) as { run?: unknown }).run))
          } catch {
            // not JSON: the scenario that reads the line fails, naming it
          }
        }
      posts.push({ contentType: req.headers["content-type"] ?? "", runs: [...runs] })
      res.writeHead(204, cors).end()
    })
  })
  const url = await listen(server)
  return {
    url: `${url}/logs`,
    lines,
    preflights,
    posts,
    close: () => new Promise((r) => server.close(() => r()))
  }
}

export const startPageServer = async (
  script: string
): Promise<{ url: string; close: () => Promise<void> }> => {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/app.js")) res.writeHead(200, { "content-type": "text/javascript" }).end(script)
    else if (req.url?.startsWith("/next"))
      res.writeHead(200, { "content-type": "text/html" }).end("<p>next</p>")
    else
      res
        .writeHead(200, { "content-type": "text/html" })
        .end('<!doctype html><title>fapilog</title><script type="module" src="/app.js"></script>')
  })
  const url = await listen(server)
  return { url, close: () => new Promise((r) => server.close(() => r())) }
}

/** Waits (bounded) until `count` lines of `run` have arrived; fails naming what came. */
export const arrived = async (
  collector: Collector,
  run: string,
  count: number
): Promise<Array<Record<string, unknown>>> => {
  const of = () =>
    collector.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.run === run)
  for (let i = 0; i < 200 && of().length < count; i++) await new Promise((r) => setTimeout(r, 50))
  return of()
}

export const seqs = (events: ReadonlyArray<Record<string, unknown>>): Array<number> =>
  events.map((e) => Number(e.seq)).sort((a, b) => a - b)

export const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

/** The scenarios of {@link pageScript} that log `n` lines tagged with a run name. */
type Scenario = "facade" | "unkept" | "buffered" | "effect"

/**
 * The page test of a browser build in Debian's chromium: `bundle` turns the page's script
 * ({@link pageScript} of `packageName`) into the module the page loads, as the app's bundler
 * would; each scenario then logs into a collector on another origin.
 */

export const browserPageSuite = (packageName: string, bundle: (script: string) => Promise<string>): void => {
  describe(`the browser build of ${packageName} in chromium`, () => {
    let browser: Browser
    let collector: Collector
    let pages: { url: string; close: () => Promise<void> }

    beforeAll(async () => {
      assert.isDefined(executablePath, "Debian's chromium is not installed (apt-get install chromium)")
      const script = await bundle(pageScript(packageName))
      collector = await startCollector()
      pages = await startPageServer(script)
      browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] })
    }, 60_000)

    afterAll(async () => {
      await browser?.close()
      await pages?.close()
      await collector?.close()
    })

    const open = async (): Promise<Page> => {
      const page = await browser.newPage()
      const errors: Array<string> = []
      page.on("pageerror", (e) => errors.push(e.message))
      await page.goto(`${pages.url}/?collector=${encodeURIComponent(collector.url)}`)
      await page.waitForFunction(
        () => (globalThis as unknown as { fapilogReady?: boolean }).fapilogReady === true
      )
      assert.deepStrictEqual(errors, [])
      return page
    }

    /** Runs the page's scenario `name` (`window.fapilogTest[name]`) for `n` lines tagged `run`. */
    const runScenario = (page: Page, name: Scenario, run: string, n: number): Promise<unknown> =>
      page.evaluate(
        ([name, run, n]) =>
          (
            globalThis as unknown as {
              fapilogTest: Record<string, (run: string, n: number) => Promise<unknown>>
            }
          ).fapilogTest[name]!(run, n),
        [name, run, n] as const
      )

    /** The content types of the POSTs that carried lines of `run`. */
    const typesOf = (run: string): Array<string> => [
      ...new Set(collector.posts.filter((p) => p.runs.includes(run)).map((p) => p.contentType))
    ]

    it("facade: every line arrives once, as valid JSON with the call's values", async () => {
      const page = await open()
      const preflights = collector.preflights.length
      await runScenario(page, "facade", "facade", 120)
      const events = await arrived(collector, "facade", 120)
      assert.deepStrictEqual(seqs(events), range(120))
      for (const e of events) {
        assert.strictEqual(e.level, "info")
        assert.strictEqual(e.logger, "page")
        assert.strictEqual(e.message, `line ${e.seq}`)
        assert.strictEqual(e.text, 'naïve "quoted" ✓')
        assert.deepStrictEqual(e.nested, { ok: true })
        assert.isString(e.timestamp)
      }
      // keepalive requests (the default) need no CORS preflight: the browser may drop one that does at page close
      assert.deepStrictEqual(typesOf("facade"), ["text/plain;charset=UTF-8"])
      assert.strictEqual(collector.preflights.length, preflights)
      await page.close()
    })

    it("keepalive off: NDJSON, after the CORS preflight", async () => {
      const page = await open()
      const preflights = collector.preflights.length
      await runScenario(page, "unkept", "unkept", 20)
      const events = await arrived(collector, "unkept", 20)
      assert.deepStrictEqual(seqs(events), range(20))
      assert.deepStrictEqual(typesOf("unkept"), ["application/x-ndjson"])
      assert.deepStrictEqual(collector.preflights.slice(preflights), ["POST"])
      await page.close()
    })

    it("Effect layer: Effect.log and Fapilog.info lines arrive once each", async () => {
      const page = await open()
      await runScenario(page, "effect", "effect", 40)
      const events = await arrived(collector, "effect", 40)
      assert.deepStrictEqual(seqs(events), range(40))
      for (const e of events) assert.strictEqual(e.message, `effect ${e.seq}`)
      await page.close()
    })

    it("lines still buffered when the page is left arrive once (pagehide flush, keepalive)", async () => {
      const page = await open()
      await runScenario(page, "buffered", "navigated", 30)
      // nothing was sent yet: the batch waits up to a minute, or for the page to go
      assert.strictEqual(collector.lines.filter((l) => l.includes('"run":"navigated"')).length, 0)
      await page.goto(`${pages.url}/next`)
      const events = await arrived(collector, "navigated", 30)
      assert.deepStrictEqual(seqs(events), range(30))
      for (const e of events) assert.strictEqual(e.message, `buffered ${e.seq}`)
      await page.close()
    })

    it("lines still buffered when the page is closed arrive once", async () => {
      const page = await open()
      await runScenario(page, "buffered", "closed", 25)
      await page.close({ runBeforeUnload: true })
      const events = await arrived(collector, "closed", 25)
      assert.deepStrictEqual(seqs(events), range(25))
    })

    it("a file sink is refused, naming the field and the sinks the browser build accepts", async () => {
      const page = await open()
      const message = await page.evaluate(() =>
        (globalThis as unknown as { fapilogTest: { fileSink: () => Promise<string> } }).fapilogTest.fileSink()
      )
      assert.include(message, "sinks[0].type")
      assert.include(message, '"file" is not available in the browser build')
      assert.include(message, '"console", "null", { type: "console" }, { type: "http", url }')
      await page.close()
    })
  })
}
