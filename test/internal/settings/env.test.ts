import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import type { ConfigIssue } from "../../../src/Errors.js"
import { fromEnv, variables } from "../../../src/internal/settings/env.js"
import { settingKeys } from "../../../src/internal/settings/index.js"

describe("the FAPILOG_* table", () => {
  it("each variable sets a setting that exists, or a key of the file sink FAPILOG_SINKS names", () => {
    const fileKeys = ["path", "maxBytes", "maxFiles", "maxTotalBytes", "maxAge", "interval", "compress"]
    for (const v of variables) {
      const [top, key] = v.sets.split(".")
      assert.isTrue(
        top === "file" ? fileKeys.includes(key ?? "") : settingKeys.includes(top ?? ""),
        `${v.name} sets ${v.sets}`
      )
    }
    assert.strictEqual(new Set(variables.map((v) => v.name)).size, variables.length, "one row per variable")
  })

  it("every variable is documented in docs/settings.md", () => {
    const doc = fs.readFileSync(new URL("../../../docs/settings.md", import.meta.url), "utf8")
    for (const v of variables) assert.include(doc, `\`${v.name}\``, `${v.name} is not in docs/settings.md`)
  })
})

describe("FAPILOG_CATEGORY_LEVELS", () => {
  const read = (text: string) => {
    const issues: Array<ConfigIssue> = []
    const provider = ConfigProvider.fromMap(new Map([["FAPILOG_CATEGORY_LEVELS", text]]))
    const settings = Effect.runSync(fromEnv(provider, issues))
    return { categoryLevels: settings.categoryLevels, issues }
  }

  it("reads category=level pairs, levels in any case, spaces and empty items ignored", () => {
    assert.deepStrictEqual(read(" app.db=DEBUG , app.http = warn,,"), {
      categoryLevels: { "app.db": "debug", "app.http": "warn" },
      issues: []
    })
  })

  it("names each malformed entry and what is accepted", () => {
    const { categoryLevels, issues } = read("app.db,app..x=debug,app.http=loud")
    assert.isUndefined(categoryLevels)
    assert.deepStrictEqual(issues, [
      { path: "FAPILOG_CATEGORY_LEVELS", message: '"app.db" is not category=level (such as app.db=debug)' },
      {
        path: 'FAPILOG_CATEGORY_LEVELS["app..x"]',
        message:
          '"app..x" is not a category: "."-separated non-empty segments, such as "app.db", or a list of segments'
      },
      {
        path: 'FAPILOG_CATEGORY_LEVELS["app.http"]',
        message: '"loud" is not one of trace, debug, info, warn, error, fatal, audit, security'
      }
    ])
  })
})
