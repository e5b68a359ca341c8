import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Either, Schema } from "effect"
import { Plugin, Sink } from "fapilog"
import { afterAll, assert, describe, it } from "vitest"
import {
  build,
  firstParty,
  MarketplaceError,
  type MarketplaceIssue,
  readmeSettings,
  thirdParty
} from "../../../scripts/marketplace/catalog.js"

const fixture = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, "fixtures", "third-party.json"), "utf8")
)
const file = "docs/marketplace-third-party.json"

const issuesOf = (
  index: unknown,
  firstPartyTypes: ReadonlySet<string> = new Set()
): ReadonlyArray<MarketplaceIssue> => {
  const result = thirdParty(index, file, firstPartyTypes)
  assert.isTrue(Either.isLeft(result), "expected the index to be refused")
  return Either.isLeft(result) ? result.left : []
}

/** The fixture with its first entry changed. */
const withFirst = (change: Record<string, unknown>, remove: ReadonlyArray<string> = []) => {
  const first = { ...fixture.plugins[0], ...change }
  for (const key of remove) delete first[key]
  return { plugins: [first, fixture.plugins[1]] }
}

describe("thirdParty", () => {
  it("reads a valid index: install commands per Effect line, entry, keywords, compatibility", () => {
    const result = thirdParty(fixture, file, new Set(["loki"]))
    assert.isTrue(Either.isRight(result))
    if (Either.isLeft(result)) return
    const [gelf, geo] = result.right
    assert.deepStrictEqual(gelf, {
      name: "fapilog-plugin-example-gelf",
      origin: "third-party",
      kind: "formatter",
      type: "example-gelf",
      version: "1.2.0",
      apiVersion: "1.0",
      description: "Example entry: GELF lines for Graylog.",
      keywords: ["gelf", "graylog"],
      packages: { effect3: "fapilog-plugin-example-gelf", effect4: "fapilog-plugin-example-gelf-effect4" },
      install: {
        effect3: "npm install fapilog fapilog-plugin-example-gelf",
        effect4: "npm install fapilog-effect4 fapilog-plugin-example-gelf-effect4"
      },
      entry: 'format: { type: "example-gelf", host: … }',
      config: fixture.plugins[0].config,
      incompatibility: undefined,
      links: {
        docs: "https://example.com/fapilog-plugin-example-gelf",
        npm: "https://www.npmjs.com/package/fapilog-plugin-example-gelf"
      }
    })
    assert.deepStrictEqual(geo?.install, {
      effect3: undefined,
      effect4: "npm install fapilog-effect4 fapilog-plugin-example-geo-effect4"
    })
    assert.strictEqual(geo?.entry, 'enrichers: [{ type: "example-geo" }]')
    assert.strictEqual(geo?.config, undefined)
    assert.strictEqual(geo?.links.docs, "https://example.com/geo-docs")
    assert.strictEqual(geo?.incompatibility, Plugin.incompatibility("2.0"))
    assert.include(geo?.incompatibility ?? "", "the major versions must be equal")
  })

  it("accepts the checked-in index", () => {
    const index = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../..", file), "utf8"))
    assert.isTrue(Either.isRight(thirdParty(index, file, new Set())))
  })

  it("names the bad field of each entry and what it accepts", () => {
    const issues = issuesOf(withFirst({ kind: "exporter", effect: [5], repository: "http://example.com/x" }))
    assert.deepStrictEqual(
      issues.map((i) => [i.file, i.path, i.message]),
      [
        [file, "plugins[0].kind", '"exporter" is not one of sink, enricher, processor, formatter'],
        [
          file,
          "plugins[0].effect",
          "[5] is not a list of the Effect major versions it is built for: [3], [4] or [3, 4]"
        ],
        [
          file,
          "plugins[0].repository",
          '"http://example.com/x" is not an https:// URL of its source repository'
        ]
      ]
    )
  })

  it("refuses a missing field and an unknown one (a typo)", () => {
    const issues = issuesOf(withFirst({ desciption: "typo" }, ["description"]))
    assert.deepStrictEqual(
      issues.map((i) => [i.path, i.message]),
      [
        [
          "plugins[0].desciption",
          'is unexpected, expected: "name" | "kind" | "type" | "apiVersion" | "effect" | "version" | "description" | "keywords" | "repository" | "homepage" | "config"'
        ],
        ["plugins[0].description", "is missing"]
      ]
    )
  })

  it("names a bad config row by its path", () => {
    const config = [{ path: "host", type: "a string", required: "yes" }]
    const [issue] = issuesOf(withFirst({ config }))
    assert.strictEqual(issue?.path, "plugins[0].config[0].required")
    assert.strictEqual(issue?.message, '"yes" is not true or false')
  })

  it("refuses a name discovery would not find, a name listed twice and a first-party type", () => {
    assert.deepStrictEqual(
      issuesOf(withFirst({ name: "fapilog-plugin-gelf" })).map((i) => [i.path, i.message]),
      [
        [
          "plugins[0].name",
          '"fapilog-plugin-gelf" is not fapilog-plugin-example-gelf: discovery finds a plugin of type "example-gelf" by that name'
        ]
      ]
    )
    assert.deepStrictEqual(
      issuesOf({ plugins: [fixture.plugins[0], fixture.plugins[0]] }).map((i) => [i.path, i.message]),
      [["plugins[1].name", '"fapilog-plugin-example-gelf" is listed twice']]
    )
    assert.deepStrictEqual(
      issuesOf(fixture, new Set(["example-geo"])).map((i) => [i.path, i.message]),
      [
        [
          "plugins[1].type",
          '"example-geo" is the type of the first-party plugin @fapilog/example-geo, which discovery loads first'
        ]
      ]
    )
  })

  it("refuses what is not an index", () => {
    const issues = issuesOf([])
    assert.strictEqual(issues.length, 1)
    assert.strictEqual(issues[0]?.path, "")
    assert.match(
      issues[0]?.message ?? "",
      /^Expected \{ readonly \$comment\?: string; readonly plugins: .*, actual \[\]$/
    )
  })
})

describe("readmeSettings", () => {
  it("reads the defaults and meanings of the Settings table", () => {
    const table = readmeSettings(
      [
        "# x",
        "| setting | default | meaning |",
        "|---|---|---|",
        "| `early` | `1` | not under Settings |",
        "## Settings",
        "",
        "Some words.",
        "",
        "| setting | default | meaning |",
        "|---|---|---|",
        "| `url` | required | the address |",
        '| `mode` | `"fast"` | `"fast"` \\| `"safe"`, see [modes](https://example.com/modes) |',
        "| `tenant` | none | the tenant |",
        "| `batch`, `retry` | | the [network](https://example.com) settings |",
        "",
        "| setting | default | meaning |",
        "|---|---|---|",
        "| `later` | `2` | a second table |",
        "## Other",
        "| `after` | `3` | |"
      ].join("\n")
    )
    assert.deepStrictEqual(Object.fromEntries(table), {
      url: { meaning: "the address" },
      mode: { default: '`"fast"`', meaning: '`"fast"` | `"safe"`, see modes' },
      tenant: { meaning: "the tenant" },
      batch: { meaning: "the network settings" },
      retry: { meaning: "the network settings" }
    })
  })

  it("reads a table whose default column comes last, and nothing without a Settings table", () => {
    const table = readmeSettings(
      [
        "## Settings",
        "| key | accepted values | default |",
        "| --- | --- | --- |",
        "| `keys` | a ring | required |",
        "| `fields` | a list | the whole event |"
      ].join("\n")
    )
    assert.deepStrictEqual(Object.fromEntries(table), { keys: {}, fields: { default: "the whole event" } })
    assert.strictEqual(readmeSettings("# x\n\n| a | default |\n|---|---|\n| `k` | 1 |").size, 0)
  })
})

describe("firstParty and build", () => {
  const scratch = (() => {
    const root = path.resolve(import.meta.dirname, "../../..", ".tmp")
    fs.mkdirSync(root, { recursive: true })
    return fs.mkdtempSync(path.join(root, "marketplace-"))
  })()
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

  const meta = { kind: "sink", type: "lines", apiVersion: "1.0" }
  const plugin = Plugin.sink({
    name: "@fapilog/lines",
    type: "lines",
    version: "0.1.0",
    apiVersion: "1.0",
    description: "Lines",
    config: Schema.Struct({ path: Schema.String, mode: Plugin.optional(Plugin.oneOf(["a", "w"])) }),
    make: () => Effect.succeed(Sink.makeSync("lines", () => {}))
  })

  /** A repository with one plugin, plugins/lines, and its Effect 4 package. */
  const repo = (name: string, effect4Field: Record<string, unknown>, index: unknown = { plugins: [] }) => {
    const dir = fs.mkdtempSync(path.join(scratch, name))
    const write = (file: string, content: unknown) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
      fs.writeFileSync(path.join(dir, file), typeof content === "string" ? content : JSON.stringify(content))
    }
    write("package.json", { name: "fapilog", version: "9.9.9" })
    write("plugins/shared/package.json", { name: "@fapilog/shared-tools" }) // no fapilog field: not a plugin
    write("plugins/lines/package.json", {
      name: "@fapilog/lines",
      version: "0.1.0",
      description: "Appends lines to a file",
      keywords: ["fapilog", "fapilog-plugin", "file", "logging"],
      fapilog: { ...meta, effect: [3] }
    })
    write("plugins/lines/effect4/package.json", { name: "@fapilog/lines-effect4", fapilog: effect4Field })
    write(
      "plugins/lines/README.md",
      '# @fapilog/lines\n\n## Settings\n\n| setting | default | meaning |\n|---|---|---|\n| `path` | required | the file |\n| `mode` | `"a"` | append or write |\n'
    )
    write("docs/marketplace-third-party.json", index)
    return dir
  }

  it("reads a first-party plugin from its packages, its plugin object and its README", async () => {
    const dir = repo("ok-", { ...meta, effect: [4] })
    const catalog = await build(dir, { load: async () => plugin })
    assert.deepStrictEqual(catalog.fapilog, { version: "9.9.9", apiVersion: Plugin.apiVersion })
    assert.deepStrictEqual(catalog.kinds, ["sink", "enricher", "processor", "formatter"])
    assert.deepStrictEqual(catalog.plugins, [
      {
        name: "@fapilog/lines",
        origin: "first-party",
        kind: "sink",
        type: "lines",
        version: "0.1.0",
        apiVersion: "1.0",
        description: "Appends lines to a file",
        keywords: ["file"],
        packages: { effect3: "@fapilog/lines", effect4: "@fapilog/lines-effect4" },
        install: {
          effect3: "npm install fapilog @fapilog/lines",
          effect4: "npm install fapilog-effect4 @fapilog/lines-effect4"
        },
        entry: 'sinks: [{ type: "lines", path: … }]',
        config: [
          { path: "path", type: "a string", required: true, description: "the file" },
          {
            path: "mode",
            type: "one of a, w",
            required: false,
            default: '`"a"`',
            description: "append or write"
          }
        ],
        incompatibility: undefined,
        links: {
          docs: "https://github.com/fapilog/fapilog/tree/main/plugins/lines#readme",
          npm: "https://www.npmjs.com/package/@fapilog/lines"
        }
      }
    ])
  })

  it("names the packages whose metadata disagree, and every problem at once", async () => {
    const dir = repo("bad-", { ...meta, type: "line", effect: [4] }, { plugins: [{ name: "x" }] })
    const loaded = { ...plugin, apiVersion: "1.1" }
    const result = await firstParty(dir, async () => loaded)
    assert.isTrue(Either.isLeft(result))
    const error = await build(dir, { load: async () => loaded }).then(
      () => assert.fail("expected a MarketplaceError"),
      (e: unknown) => e
    )
    assert.instanceOf(error, MarketplaceError)
    const issues = (error as MarketplaceError).issues.map((i) => `${i.file}: ${i.path}: ${i.message}`)
    assert.includeMembers(issues, [
      'plugins/lines/effect4/package.json: fapilog.type: "line" is not "lines", the Effect 3 package\'s (plugins/lines/package.json)',
      'plugins/lines/package.json: fapilog.apiVersion: "1.0" is not the plugin object\'s "1.1"',
      "docs/marketplace-third-party.json: plugins[0].kind: is missing"
    ])
    assert.include(
      (error as MarketplaceError).message,
      "The plugin marketplace cannot be built:\n  plugins/lines/"
    )
  })

  it("refuses a package.json whose fapilog field is not valid, naming the field", async () => {
    const dir = repo("field-", { ...meta, apiVersion: "one", effect: [4] })
    const result = await firstParty(dir, async () => plugin)
    assert.deepStrictEqual(Either.isLeft(result) ? result.left : [], [
      {
        file: "plugins/lines/effect4/package.json",
        path: "fapilog.apiVersion",
        message: `"one" is not a "major.minor" plugin API version such as "${Plugin.apiVersion}"`
      }
    ])
  })
})
