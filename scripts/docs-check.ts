/**
 * Checks the hand-written documentation (docs/*.md, the READMEs, CONTRIBUTING.md):
 *
 * - every TypeScript code block type-checks: each ```ts block becomes a module of its own in
 *   .tmp/docs-check/, compiled with the repository's compiler options, `fapilog`,
 *   `fapilog/*` and `@fapilog/*` resolving to the sources as in tsconfig.json. A block that
 *   imports `fapilog-effect4` or an `@fapilog/*-effect4` package is checked against Effect 4
 *   instead (effect4/docs-check.ts, under the Node 22 of effect4/, with that line's
 *   module resolution), so `npm run setup:effect4` must have run.
 * - every internal link resolves: relative links to files, `#anchors` to headings (GitHub's
 *   rule, docs/.vitepress/slug.ts), links to the site (https://fapilog.github.io/fapilog/)
 *   to a page of docs/, and links to the repository's files on GitHub to a file that exists.
 * - the READMEs that are published to npm link with absolute addresses only (a relative link
 *   is dead on npmjs.com): guides on the site, other files on GitHub.
 * - every package.json (root, effect4/, plugins/*, plugins/* /effect4/) names the repository
 *   (with its directory), the site as `homepage`, the issue tracker as `bugs`, and keywords,
 *   and a LICENSE file beside it.
 *
 * Conventions (CONTRIBUTING.md, "Docs"): a block that is deliberately not a whole program is
 * opened with ```ts nocheck; a line that shows a type error carries `// @ts-expect-error`
 * above it, which the compiler checks like any other.
 *
 * Usage: `npm run docs:check` (`-- --verbose` lists every block).
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"
import { slugify } from "../docs/.vitepress/slug.js"

const repoDir = path.resolve(import.meta.dirname, "..")
const workDir = path.join(repoDir, ".tmp", "docs-check")
const siteUrl = "https://fapilog.github.io/fapilog/"
const repositoryUrl = "https://github.com/fapilog/fapilog"
const verbose = process.argv.includes("--verbose")

/** The documents checked: the guides (not the generated API reference), the READMEs, CONTRIBUTING.md. */
const documents = (): ReadonlyArray<string> => {
  const within = (dir: string, keep: (name: string) => boolean) =>
    fs.existsSync(path.join(repoDir, dir))
      ? fs
          .readdirSync(path.join(repoDir, dir))
          .filter(keep)
          .map((name) => path.join(dir, name))
      : []
  const readmes = (dir: string) =>
    within(dir, (name) => fs.existsSync(path.join(repoDir, dir, name, "README.md"))).map((d) =>
      path.join(d, "README.md")
    )
  return [
    ...within("docs", (name) => name.endsWith(".md")),
    "README.md",
    "CONTRIBUTING.md",
    "effect4/README.md",
    "plugins/README.md",
    ...readmes("plugins"),
    ...readmes("plugins").map((readme) => readme.replace(/README\.md$/, "effect4/README.md")),
    ...readmes("packages")
  ].filter((file) => fs.existsSync(path.join(repoDir, file)))
}

interface Block {
  readonly document: string
  /** The line of the opening fence (1-based). */
  readonly line: number
  readonly code: string
  readonly nocheck: boolean
  readonly effect4: boolean
}

interface Link {
  readonly document: string
  readonly line: number
  readonly target: string
}

interface Parsed {
  readonly blocks: ReadonlyArray<Block>
  readonly links: ReadonlyArray<Link>
  readonly anchors: ReadonlySet<string>
}

const effect4Import = /from\s+"(fapilog-effect4(\/[\w-]+)?|@fapilog\/[\w-]+-effect4)"/

/** Code blocks, links (outside code) and heading anchors of one Markdown document. */
const parse = (document: string): Parsed => {
  const lines = fs.readFileSync(path.join(repoDir, document), "utf8").split("\n")
  const blocks: Array<Block> = []
  const links: Array<Link> = []
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  let fence:
    | { readonly marker: string; readonly indent: number; readonly info: string; readonly line: number }
    | undefined
  let body: Array<string> = []
  lines.forEach((text, index) => {
    if (fence !== undefined) {
      const close = /^(\s*)(`{3,}|~{3,})\s*$/.exec(text)
      if (close !== null && close[2]!.startsWith(fence.marker)) {
        const [lang = "", ...flags] = fence.info.split(/\s+/)
        if (lang === "ts" || lang === "typescript") {
          const code = body.join("\n")
          blocks.push({
            document,
            line: fence.line,
            code,
            nocheck: flags.includes("nocheck"),
            effect4: effect4Import.test(code)
          })
        }
        fence = undefined
      } else {
        body.push(text.slice(Math.min(fence.indent, text.length - text.trimStart().length)))
      }
      return
    }
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(text)
    if (open !== null) {
      fence = { marker: open[2]!, indent: open[1]!.length, info: open[3]!.trim(), line: index + 1 }
      body = []
      return
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)
    if (heading !== null) {
      const plain = heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/`/g, "")
      const slug = slugify(plain)
      const count = seen.get(slug) ?? 0
      seen.set(slug, count + 1)
      anchors.add(count === 0 ? slug : `${slug}-${count}`)
    }
    const prose = text.replace(/`[^`]*`/g, "")
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      links.push({ document, line: index + 1, target: match[1]! })
    const definition = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(prose)
    if (definition !== null) links.push({ document, line: index + 1, target: definition[1]! })
  })
  return { blocks, links, anchors }
}

/** Where a link lands: a file of the repository and an anchor in it, or nothing to check. */
const resolveLink = (
  link: Link
): { readonly file: string; readonly anchor: string | undefined } | undefined => {
  const [target = "", anchor] = link.target.split("#") as [string, string | undefined]
  const inSite = (page: string) => {
    const clean = page
      .replace(/\/$/, "/index")
      .replace(/^$/, "index")
      .replace(/\.html$/, "")
    if (clean === "api/index" || clean.startsWith("api/")) return undefined // generated by typedoc
    return { file: path.join("docs", clean.endsWith(".md") ? clean : `${clean}.md`), anchor }
  }
  if (link.target.startsWith(siteUrl)) return inSite(target.slice(siteUrl.length))
  const inRepository = new RegExp(`^${repositoryUrl}/(blob|tree)/main/([^#?]+)`).exec(link.target)
  if (inRepository !== null) return { file: decodeURI(inRepository[2]!), anchor: undefined }
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return undefined // other sites, mailto:
  if (target === "") return { file: link.document, anchor }
  if (target.startsWith("/")) return link.document.startsWith("docs/") ? inSite(target.slice(1)) : undefined
  return { file: path.normalize(path.join(path.dirname(link.document), decodeURI(target))), anchor }
}

const problems: Array<string> = []

const parsed = new Map(documents().map((document) => [document, parse(document)]))

// Links
let linksChecked = 0
for (const { links } of parsed.values()) {
  for (const link of links) {
    const resolved = resolveLink(link)
    if (resolved === undefined) continue
    linksChecked++
    const where = `${link.document}:${link.line}: link ${link.target}`
    if (!fs.existsSync(path.join(repoDir, resolved.file))) {
      problems.push(`${where}: ${resolved.file} does not exist`)
      continue
    }
    if (resolved.anchor === undefined || resolved.anchor === "" || !resolved.file.endsWith(".md")) continue
    const anchors = parsed.get(resolved.file)?.anchors ?? parse(resolved.file).anchors
    if (!anchors.has(resolved.anchor))
      problems.push(`${where}: ${resolved.file} has no heading with the anchor #${resolved.anchor}`)
  }
}

// Published READMEs: absolute links only
const published = (document: string) =>
  document === "README.md" ||
  (document.endsWith("README.md") && document !== "plugins/README.md" && !document.startsWith("docs/"))
for (const { links } of parsed.values())
  for (const link of links)
    if (published(link.document) && !/^[a-z][a-z0-9+.-]*:|^#/i.test(link.target))
      problems.push(
        `${link.document}:${link.line}: link ${link.target}: relative links are dead on npm; link the site (${siteUrl}...) or the file on GitHub (${repositoryUrl}/blob/main/...)`
      )

// package.json metadata
const packageFiles = [
  "package.json",
  "effect4/package.json",
  ...["plugins", "packages"].flatMap((dir) =>
    fs.existsSync(path.join(repoDir, dir))
      ? fs
          .readdirSync(path.join(repoDir, dir))
          .flatMap((name) => [
            path.join(dir, name, "package.json"),
            path.join(dir, name, "effect4", "package.json")
          ])
      : []
  )
].filter((file) => fs.existsSync(path.join(repoDir, file)))
for (const file of packageFiles) {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoDir, file), "utf8")) as {
    readonly repository?: { readonly url?: string; readonly directory?: string }
    readonly homepage?: string
    readonly bugs?: { readonly url?: string }
    readonly keywords?: ReadonlyArray<string>
  }
  const directory = path.dirname(file)
  const expected = [
    [pkg.repository?.url === `git+${repositoryUrl}.git`, `repository.url "git+${repositoryUrl}.git"`],
    [(pkg.repository?.directory ?? ".") === directory, `repository.directory "${directory}"`],
    [pkg.homepage?.startsWith(siteUrl) === true, `homepage on ${siteUrl}`],
    [pkg.bugs?.url === `${repositoryUrl}/issues`, `bugs.url "${repositoryUrl}/issues"`],
    [(pkg.keywords?.length ?? 0) > 0, "keywords"]
  ] as const
  for (const [ok, what] of expected) if (!ok) problems.push(`${file}: needs ${what}`)
  // npm puts a package's LICENSE in its tarball whatever `files` says: each package has one
  if (!fs.existsSync(path.join(repoDir, directory, "LICENSE")))
    problems.push(`${file}: needs a LICENSE file beside it`)
}

// Code blocks
const blocks = [...parsed.values()].flatMap((p) => p.blocks)
const checked = blocks.filter((b) => !b.nocheck)
const skipped = blocks.filter((b) => b.nocheck)

fs.rmSync(workDir, { recursive: true, force: true })
const write = (line: "effect3" | "effect4", block: Block): string => {
  const name = `${block.document.replace(/[/.]/g, "_")}_L${block.line}.ts`
  const file = path.join(workDir, line, name)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  // `export {}`: each block is a module of its own (its names, top-level await)
  fs.writeFileSync(file, `${block.code}\nexport {}\n`)
  return file
}
const origin = new Map<string, Block>()
const effect3Files = checked
  .filter((b) => !b.effect4)
  .map((b) => {
    const file = write("effect3", b)
    origin.set(file, b)
    return file
  })
const effect4Files = checked
  .filter((b) => b.effect4)
  .map((b) => {
    const file = write("effect4", b)
    origin.set(file, b)
    return file
  })

const failing = new Set<Block>()
/** A compiler message at its place in the document: `docs/x.md:12:5: error TS2345: ...`. */
const report = (file: string, line: number, column: number, code: number, message: string) => {
  const block = origin.get(path.resolve(file))
  if (block !== undefined) failing.add(block)
  const where =
    block === undefined
      ? `${path.relative(repoDir, file)}:${line}:${column}`
      : `${block.document}:${block.line + line}:${column}`
  problems.push(`${where}: error TS${code}: ${message}`)
}

const rootConfig = ts.getParsedCommandLineOfConfigFile(
  path.join(repoDir, "tsconfig.json"),
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} }
)
if (rootConfig === undefined) throw new Error("cannot read tsconfig.json")
if (effect3Files.length > 0) {
  const program = ts.createProgram({
    rootNames: effect3Files,
    options: { ...rootConfig.options, noEmit: true, noUnusedLocals: false }
  })
  // only the blocks' own diagnostics: the sources they import are the typecheck's business
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...effect3Files.flatMap((file) => {
      const source = program.getSourceFile(file)
      return source === undefined
        ? []
        : [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
    })
  ]
  for (const d of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n")
    if (d.file === undefined) {
      problems.push(`(compiler options): error TS${d.code}: ${message}`)
      continue
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0)
    report(d.file.fileName, line + 1, character + 1, d.code, message)
  }
}

if (effect4Files.length > 0) {
  const node22 = path.join(repoDir, "effect4", "node_modules", ".bin", "node")
  if (!fs.existsSync(node22)) {
    problems.push(
      `${effect4Files.length} Effect 4 code blocks not checked: effect4/ is not set up (run \`npm run setup:effect4\`)`
    )
  } else {
    const result = spawnSync(node22, [path.join(repoDir, "effect4", "docs-check.ts"), ...effect4Files], {
      encoding: "utf8",
      cwd: repoDir
    })
    if (result.status !== 0 && result.stdout.trim() === "")
      problems.push(`the Effect 4 check failed to run: ${result.stderr}`)
    for (const line of result.stdout.split("\n").filter((l) => l !== "")) {
      const [file = "", at = "", code = "", ...message] = line.split("\t")
      const [l = "0", c = "0"] = at.split(":")
      report(file, Number(l), Number(c), Number(code), message.join("\t"))
    }
  }
}

if (verbose)
  for (const block of blocks)
    console.log(
      `${block.document}:${block.line} ${block.nocheck ? "nocheck" : block.effect4 ? "effect 4" : "effect 3"}`
    )
console.log(
  `docs-check: ${parsed.size} documents; ${checked.length} TypeScript blocks type-checked (${effect3Files.length} Effect 3, ${effect4Files.length} Effect 4), ${skipped.length} marked nocheck; ${linksChecked} internal links checked`
)
if (problems.length > 0) {
  for (const problem of problems) console.log(problem)
  console.log(`docs-check: ${problems.length} problems (${failing.size} code blocks do not type-check)`)
  process.exitCode = 1
}
