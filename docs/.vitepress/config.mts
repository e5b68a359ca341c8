import { existsSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { Plugin as VitePlugin } from "vite"
import { type DefaultTheme, defineConfig, type MarkdownRenderer } from "vitepress"
import { slugify } from "./slug.js"

/** The site's one address and the repository it is built from (package.json says the same). */
export const siteUrl = "https://fapilog.github.io/fapilog/"
export const repositoryUrl = "https://github.com/fapilog/fapilog"

const docsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const repoDir = path.dirname(docsDir)

/**
 * The API reference's sidebar, written by typedoc (typedoc-vitepress-theme) into docs/api.
 * `npm run docs:build` runs typedoc first; without it (`vitepress dev` on a fresh clone) the
 * reference is left out of the sidebar rather than failing the build.
 */
const apiSidebar = (): Array<DefaultTheme.SidebarItem> => {
  const file = path.join(docsDir, "api", "typedoc-sidebar.json")
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Array<DefaultTheme.SidebarItem>) : []
}

/**
 * Pages of other branches: listed in the sidebar only once they exist, so the site builds at
 * every commit (VitePress does not check sidebar links; a missing page would be a 404).
 */
const ifPresent = (
  item: DefaultTheme.SidebarItem & { readonly link: string }
): Array<DefaultTheme.SidebarItem> =>
  existsSync(path.join(docsDir, `${item.link.replace(/^\//, "")}.md`)) ? [item] : []

const guides: Array<DefaultTheme.SidebarItem> = [
  {
    text: "Start",
    items: [
      { text: "Introduction", link: "/introduction" },
      { text: "Start a project", link: "/start" },
      { text: "Effect programs", link: "/effect" },
      { text: "Promise code", link: "/promise" },
      { text: "HTTP servers", link: "/http" },
      { text: "Browsers and edge", link: "/browser" },
      { text: "Slow queries", link: "/sql" }
    ]
  },
  {
    text: "Configure",
    items: [
      { text: "Files, presets, layers", link: "/configuration" },
      { text: "Settings reference", link: "/settings" },
      ...ifPresent({ text: "Command line", link: "/cli" })
    ]
  },
  {
    text: "The pipeline",
    items: [
      { text: "How events flow", link: "/pipeline" },
      { text: "Event schema", link: "/event-schema" },
      { text: "Sinks", link: "/sinks" },
      { text: "Network sinks", link: "/network" },
      { text: "Formatters", link: "/formatters" },
      { text: "Enrichers", link: "/enrichers" },
      { text: "Processors", link: "/processors" },
      { text: "Redaction", link: "/redaction" },
      { text: "Alerting", link: "/alerting" },
      ...ifPresent({ text: "Compliance", link: "/compliance" })
    ]
  },
  {
    text: "Extend",
    items: [
      { text: "Extending with layers", link: "/layers" },
      { text: "Plugins", link: "/plugins" },
      { text: "Plugin marketplace", link: "/marketplace" }
    ]
  },
  {
    text: "Operate",
    items: [
      { text: "Reliability", link: "/reliability" },
      { text: "Self-metrics", link: "/metrics" },
      { text: "Performance tuning", link: "/tuning" },
      { text: "Benchmarks", link: "/performance" },
      { text: "Troubleshooting", link: "/troubleshooting" }
    ]
  },
  {
    text: "Migrate",
    items: [
      { text: "From pino", link: "/migrating-from-pino" },
      { text: "From Effect's logger", link: "/migrating-from-effect-logger" },
      { text: "Effect 4", link: "/effect4-design" }
    ]
  }
]

/**
 * Links that leave docs/ (`../examples/http-server.ts`, `../plugins/loki/README.md`) name
 * files of the repository the site does not serve: they become links to those files on
 * GitHub, so a guide reads the same in the repository and on the site.
 */
const repositoryLinks = (md: MarkdownRenderer): void => {
  md.core.ruler.push("fapilog-repository-links", (state) => {
    const relativePath = (state.env as { relativePath?: string }).relativePath
    if (relativePath === undefined) return
    for (const block of state.tokens) {
      for (const token of block.children ?? []) {
        if (token.type !== "link_open") continue
        const href = token.attrGet("href")
        if (href === null || /^[a-z]+:|^#|^\//i.test(href)) continue
        const [target = "", anchor] = href.split("#")
        const file = path.resolve(docsDir, path.dirname(relativePath), target)
        if (file.startsWith(docsDir + path.sep)) continue
        const inRepo = path.relative(repoDir, file)
        const kind = existsSync(file) && !/\.[a-z0-9]+$/i.test(target) ? "tree" : "blob"
        token.attrSet(
          "href",
          `${repositoryUrl}/${kind}/main/${inRepo}${anchor === undefined ? "" : `#${anchor}`}`
        )
      }
    }
  })
}

/**
 * The theme's search button is named by an `aria-label` ("Search") while it shows "Search"
 * and its shortcut keys, which WCAG 2.5.3 (label in name; axe's label-content-name-mismatch)
 * refuses. Here it is named by its content instead: the keys are hidden from assistive
 * technology and announced as `aria-keyshortcuts`. Fails the build when the theme's markup
 * changes, rather than leaving the button unfixed (test/docs/marketplace.browser.ts runs axe).
 */
const searchButtonName = (): VitePlugin => ({
  name: "fapilog-search-button-name",
  enforce: "pre",
  transform(code, id) {
    if (!id.endsWith("/VPNavBarSearchButton.vue")) return undefined
    const label = `:aria-label="translate('button.buttonAriaLabel')"`
    const keys = `<span class="DocSearch-Button-Keys">`
    if (!code.includes(label) || !code.includes(keys))
      throw new Error(`${id}: the search button's markup changed; update searchButtonName in config.mts`)
    return code
      .replace(label, `aria-keyshortcuts="Control+K Meta+K"`)
      .replace(keys, `<span class="DocSearch-Button-Keys" aria-hidden="true">`)
  }
})

export default defineConfig({
  vite: { plugins: [searchButtonName()] },
  title: "fapilog",
  description:
    "Structured logging runtime for TypeScript on Effect: bounded async pipeline, Effect layers and a Promise facade.",
  base: "/fapilog/",
  lang: "en",
  cleanUrls: true,
  lastUpdated: false,
  outDir: "../dist-docs",
  cacheDir: "./.vitepress/cache",
  // pages of the repository that are not part of the site
  srcExclude: ["**/README.md"],
  sitemap: { hostname: siteUrl },
  markdown: {
    config: repositoryLinks,
    // GitHub's anchors, so links such as effect.md#install work in the repository and here
    anchor: { slugify },
    theme: { light: "github-light", dark: "github-dark" }
  },
  themeConfig: {
    nav: [
      { text: "Guide", link: "/introduction" },
      { text: "API reference", link: "/api/" },
      { text: "Plugins", link: "/plugins" },
      { text: "Marketplace", link: "/marketplace" }
    ],
    sidebar: {
      "/api/": [{ text: "API reference", link: "/api/", items: apiSidebar() }],
      "/": guides
    },
    socialLinks: [{ icon: "github", link: repositoryUrl }],
    editLink: { pattern: `${repositoryUrl}/edit/main/docs/:path`, text: "Edit this page" },
    search: { provider: "local" },
    outline: { level: [2, 3] }
  }
})
