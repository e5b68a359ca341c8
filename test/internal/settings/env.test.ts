import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { variables } from "../../../src/internal/settings/env.js"
import { settingKeys } from "../../../src/internal/settings/index.js"

describe("the FAPILOG_* table", () => {
  it("each variable sets a setting that exists, or a key of the file sink FAPILOG_SINKS names", () => {
    const fileKeys = ["path", "maxBytes", "maxFiles", "maxTotalBytes", "interval", "compress"]
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
