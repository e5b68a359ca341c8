/**
 * The plugin marketplace page of the built site (dist-docs/, `npm run docs:build`), in a real
 * browser: Debian's chromium (headless; `--no-sandbox`, since CI runs as root) driven by
 * playwright-core. The search, the kind and keyword filters, the keyword buttons and the
 * address parameters change the visible plugins exactly as the catalogue says; the result
 * count is announced; axe finds no WCAG 2.1 A or AA violation, in the light and the dark
 * theme, with a configuration table open. Screenshots: artifacts/marketplace*.png.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import AxeBuilder from "@axe-core/playwright"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import type { Catalog } from "../../scripts/marketplace/catalog.js"
import { type StaticSite, serve } from "./staticSite.js"

const repoDir = path.resolve(import.meta.dirname, "..", "..")
const siteDir = path.join(repoDir, "dist-docs")
const artifacts = path.join(repoDir, "artifacts")

/** Debian's chromium: CHROMIUM_PATH, else `chromium` on the PATH. */
const chromiumPath = (): string => {
  const named = process.env.CHROMIUM_PATH
  if (named !== undefined && named !== "") return named
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const file = path.join(dir, "chromium")
    if (fs.existsSync(file)) return file
  }
  throw new Error(
    "chromium is not installed: apt-get install chromium (.ci/run installs it), or set CHROMIUM_PATH"
  )
}

const readCatalog = (): Catalog => {
  const file = path.join(repoDir, "docs", ".vitepress", "generated", "marketplace.json")
  if (!fs.existsSync(path.join(siteDir, "marketplace.html")) || !fs.existsSync(file))
    throw new Error("the site is not built: run npm run docs:build first")
  return JSON.parse(fs.readFileSync(file, "utf8")) as Catalog
}

let site: StaticSite
let browser: Browser
let catalog: Catalog

beforeAll(async () => {
  catalog = readCatalog()
  site = await serve(siteDir)
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox"] })
  fs.mkdirSync(artifacts, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await site?.close()
})

const names = (filter: (p: Catalog["plugins"][number]) => boolean): ReadonlyArray<string> =>
  catalog.plugins.filter(filter).map((p) => p.name)

/** The page, hydrated (Vue has mounted the app, so the controls work). */
const open = async (query = "", colorScheme: "light" | "dark" = "light"): Promise<Page> => {
  // a context of its own: axe opens pages in the page's context
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme })
  const page = await context.newPage()
  await page.goto(`${site.url}marketplace${query}`)
  // (the browser-side code is a string: this file is compiled without the DOM's types)
  await page.waitForFunction(`document.querySelector("#app")?.__vue_app__ !== undefined`)
  return page
}

const visible = (page: Page): Promise<ReadonlyArray<string>> =>
  page.locator("li.plugin").evaluateAll((items) => items.map((li) => li.getAttribute("data-plugin") ?? ""))

/** Waits until the visible plugins are `expected` (Vue updates the list after the event). */
const expectVisible = async (page: Page, expected: ReadonlyArray<string>): Promise<void> => {
  const shown = `JSON.stringify([...document.querySelectorAll("li.plugin")].map((li) => li.dataset.plugin))`
  await page
    .waitForFunction(`${shown} === ${JSON.stringify(JSON.stringify(expected))}`, undefined, {
      timeout: 5_000
    })
    .catch(() => undefined) // the assertion below then shows what is visible instead
  assert.deepStrictEqual(await visible(page), expected)
  const count = await page.textContent("#marketplace-count")
  assert.strictEqual(
    count?.trim(),
    `${expected.length} ${expected.length === 1 ? "plugin" : "plugins"} of ${catalog.plugins.length}`
  )
}

const axe = async (page: Page, scheme: string) => {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze()
  const summary = result.violations.map(
    (v) => `${scheme}: ${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
  )
  assert.deepStrictEqual(summary, [])
  assert.isAbove(result.passes.length, 10)
}

describe("the plugin marketplace page", () => {
  it("lists every plugin of the catalogue, rendered in the static page", async () => {
    const page = await open()
    try {
      const all = names(() => true)
      assert.isAtLeast(all.length, 15)
      await expectVisible(page, all)
      await page.screenshot({ path: path.join(artifacts, "marketplace.png") })
      // the static HTML holds them too (before any script runs)
      const html = fs.readFileSync(path.join(siteDir, "marketplace.html"), "utf8")
      for (const name of all) assert.include(html, `data-plugin="${name}"`)
      // the count is announced to screen readers
      assert.strictEqual(await page.getAttribute("#marketplace-count", "role"), "status")
      assert.strictEqual(await page.getAttribute("#marketplace-count", "aria-live"), "polite")
      // each card: kind, type, install for both lines, compatibility, config from the Schema
      const loki = page.locator('li.plugin[data-plugin="@fapilog/loki"]')
      const text = await loki.innerText()
      assert.include(text, "npm install fapilog @fapilog/loki")
      assert.include(text, "npm install fapilog-effect4 @fapilog/loki-effect4")
      assert.include(text, 'sinks: [{ type: "loki", url: … }]')
      assert.include(
        text,
        `Loads on fapilog ${catalog.fapilog.version} (plugin API ${catalog.fapilog.apiVersion})`
      )
      await loki.locator("summary").click()
      const url = loki.locator("tr", { has: page.locator('th code:text-is("url")') })
      assert.include(await url.innerText(), "required")
      assert.include(await url.innerText(), "an http:// or https:// URL")
      const encoding = loki.locator("tr", { has: page.locator('th code:text-is("encoding")') })
      assert.include(await encoding.innerText(), "one of protobuf, json")
      assert.include(await encoding.innerText(), '"protobuf"')
    } finally {
      await page.context().close()
    }
  })

  it("searches names, descriptions, keywords and config keys", async () => {
    const page = await open()
    try {
      await page.fill("#marketplace-search", "kafka")
      await expectVisible(page, ["@fapilog/kafka"])
      // two words: both must match
      await page.fill("#marketplace-search", "sink gzip")
      const gzip = names((p) => p.kind === "sink" && JSON.stringify(p).toLowerCase().includes("gzip"))
      assert.isAbove(gzip.length, 0)
      await expectVisible(
        page,
        names((p) => {
          const hay = [
            p.name,
            p.type,
            p.kind,
            p.description,
            ...p.keywords,
            ...(p.config ?? []).map((f) => f.path)
          ]
            .join(" ")
            .toLowerCase()
          return hay.includes("sink") && hay.includes("gzip")
        })
      )
      // a config key
      await page.fill("#marketplace-search", "structuredMetadata")
      await expectVisible(page, ["@fapilog/loki"])
      await page.fill("#marketplace-search", "no-such-plugin-anywhere")
      await expectVisible(page, [])
      assert.include(await page.textContent(".marketplace-empty"), "No plugin matches")
      // Clear filters brings every plugin back
      await page.click("text=Clear filters")
      await expectVisible(
        page,
        names(() => true)
      )
    } finally {
      await page.context().close()
    }
  })

  it("filters by kind and by keyword, together with the search", async () => {
    const page = await open()
    try {
      const processors = names((p) => p.kind === "processor")
      assert.includeMembers([...processors], ["@fapilog/encryption", "@fapilog/pii"])
      await page.selectOption("#marketplace-kind", "processor")
      await expectVisible(page, processors)
      assert.include(page.url(), "kind=processor")

      await page.selectOption("#marketplace-keyword", "compliance")
      await expectVisible(
        page,
        names((p) => p.kind === "processor" && p.keywords.includes("compliance"))
      )
      await page.selectOption("#marketplace-kind", "")
      const compliance = names((p) => p.keywords.includes("compliance"))
      assert.includeMembers([...compliance], ["@fapilog/audit", "@fapilog/encryption"])
      await expectVisible(page, compliance)

      await page.fill("#marketplace-search", "audit")
      await expectVisible(page, ["@fapilog/audit"])

      // a kind no plugin has yet: nothing, and said so
      await page.fill("#marketplace-search", "")
      await page.selectOption("#marketplace-keyword", "")
      await page.selectOption("#marketplace-kind", "formatter")
      await expectVisible(
        page,
        names((p) => p.kind === "formatter")
      )
    } finally {
      await page.context().close()
    }
  })

  it("works from the keyboard: a keyword button filters, and toggles back", async () => {
    const page = await open()
    try {
      // Tab from the search field reaches the kind filter, then the keyword filter
      await page.focus("#marketplace-search")
      await page.keyboard.press("Tab")
      assert.strictEqual(await page.evaluate("document.activeElement?.id"), "marketplace-kind")
      await page.keyboard.press("Tab")
      assert.strictEqual(await page.evaluate("document.activeElement?.id"), "marketplace-keyword")

      const streams = page
        .locator('li.plugin[data-plugin="@fapilog/redis"]')
        .getByRole("button", { name: "streams", exact: true })
      await streams.focus()
      await page.keyboard.press("Enter")
      await expectVisible(
        page,
        names((p) => p.keywords.includes("streams"))
      )
      assert.strictEqual(await page.inputValue("#marketplace-keyword"), "streams")
      const pressed = streams
      assert.strictEqual(await pressed.getAttribute("aria-pressed"), "true")
      await pressed.focus()
      await page.keyboard.press("Space")
      await expectVisible(
        page,
        names(() => true)
      )

      // a configuration table opens from the keyboard
      const summary = page.locator('li.plugin[data-plugin="@fapilog/pii"] summary')
      await summary.focus()
      await page.keyboard.press("Enter")
      assert.strictEqual(
        await page.locator('li.plugin[data-plugin="@fapilog/pii"] details').getAttribute("open"),
        ""
      )
    } finally {
      await page.context().close()
    }
  })

  it("takes the search and filters from the address", async () => {
    const page = await open("?kind=sink&keyword=siem")
    try {
      assert.strictEqual(await page.inputValue("#marketplace-kind"), "sink")
      await expectVisible(
        page,
        names((p) => p.kind === "sink" && p.keywords.includes("siem"))
      )
    } finally {
      await page.context().close()
    }
  })

  /** The state that shows every kind of element: one plugin, its configuration table open, a keyword pressed. */
  const filteredWithTable = async (page: Page) => {
    await page.fill("#marketplace-search", "loki")
    await expectVisible(page, ["@fapilog/loki"])
    await page.locator('li.plugin[data-plugin="@fapilog/loki"] summary').click()
    await page
      .locator('li.plugin[data-plugin="@fapilog/loki"]')
      .getByRole("button", { name: "loki", exact: true })
      .click()
    await expectVisible(page, ["@fapilog/loki"])
    assert.strictEqual(await page.inputValue("#marketplace-keyword"), "loki")
  }

  it("has no WCAG 2.1 AA violations in the light theme: the whole list, then a configuration table", async () => {
    const page = await open("", "light")
    try {
      await axe(page, "light")
      await filteredWithTable(page)
      await axe(page, "light")
      await page.screenshot({ path: path.join(artifacts, "marketplace-loki.png"), fullPage: true })
    } finally {
      await page.context().close()
    }
  })

  it("has no WCAG 2.1 AA violations in the dark theme", async () => {
    const page = await open("", "dark")
    try {
      assert.isTrue(await page.evaluate(`document.documentElement.classList.contains("dark")`))
      await filteredWithTable(page)
      await axe(page, "dark")
    } finally {
      await page.context().close()
    }
  })
})
