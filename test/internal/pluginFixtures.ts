/**
 * Plugin packages for the discovery tests: ES module, CommonJS and dual packages, and
 * broken, denied, incompatible ones, written into a node_modules directory.
 */
import * as fs from "node:fs"
import * as path from "node:path"

export type Flavor = "esm" | "cjs"

interface Fixture {
  readonly name: string
  readonly manifest?: Record<string, unknown>
  readonly files: Readonly<Record<string, string>>
}

const imports = (flavor: Flavor, withFapilog: boolean) =>
  flavor === "esm"
    ? `import * as fs from "node:fs"\nimport { Effect, Schema } from "effect"\n${withFapilog ? 'import { Errors } from "fapilog"\n' : ""}`
    : `const fs = require("node:fs")\nconst { Effect, Schema } = require("effect")\n${withFapilog ? 'const { Errors } = require("fapilog")\n' : ""}`

const exportPlugin = (flavor: Flavor, how: "named" | "default") =>
  flavor === "esm"
    ? how === "named"
      ? "export { plugin }"
      : "export default plugin"
    : how === "named"
      ? "module.exports = { plugin }"
      : "module.exports = plugin"

/**
 * A sink plugin appending `<message> <flavor>` lines to the file of its config; `write`
 * is the option to misbehave (a JS expression over `batch`, `config`, `lines`).
 */
const sinkPlugin = (options: {
  readonly name: string
  readonly type: string
  readonly flavor: Flavor
  readonly apiVersion?: string
  readonly how?: "named" | "default"
  readonly withFapilog?: boolean
  readonly start?: string
  readonly writeSync?: string
}) => {
  const flavor = options.flavor
  // with the packed build, a start failure is fapilog's own SinkError (FAIL_START in `start`)
  const fail =
    options.withFapilog === true
      ? "new Errors.SinkError({ sink: config.path, reason: 'start refused' })"
      : "new Error('start refused')"
  return `${imports(flavor, options.withFapilog === true)}
const plugin = {
  name: ${JSON.stringify(options.name)},
  type: ${JSON.stringify(options.type)},
  kind: "sink",
  version: "1.0.0",
  apiVersion: ${JSON.stringify(options.apiVersion ?? "1.0")},
  description: "a ${flavor} test plugin",
  config: Schema.Struct({ path: Schema.String }),
  make: (config, context) => {
    ${options.start ?? ""}
    const writeSync = (batch) => {
      ${options.writeSync ?? ""}
      for (const e of batch.events) fs.appendFileSync(config.path, e.message + " ${flavor}" + (e.fields.region ? " " + e.fields.region : "") + "\\n")
    }
    return Effect.acquireRelease(
      Effect.sync(() => {
        fs.appendFileSync(config.path, "open ${flavor} logger=" + context.logger + "\\n")
        return { name: ${JSON.stringify(options.type)}, writeSync, write: (batch) => Effect.sync(() => writeSync(batch)) }
      }),
      () => Effect.sync(() => fs.appendFileSync(config.path, "close ${flavor}\\n"))
    )
  }
}
${exportPlugin(flavor, options.how ?? "named")}
`.replace("FAIL_START", fail)
}

const sinkField = (type: string, apiVersion = "1.0") => ({ fapilog: { kind: "sink", type, apiVersion } })

/** The packages of the discovery scenarios. */
export const fixtures = (withFapilog: boolean): ReadonlyArray<Fixture> => [
  {
    name: "@fapilog/esmonly",
    manifest: { type: "module", exports: { ".": { import: "./index.js" } }, ...sinkField("esmonly") },
    files: {
      "index.js": sinkPlugin({ name: "@fapilog/esmonly", type: "esmonly", flavor: "esm", withFapilog })
    }
  },
  {
    // the Effect 3 package of plugin "effect3only", which says so
    name: "@fapilog/effect3only",
    manifest: {
      type: "module",
      exports: { ".": { import: "./index.js" } },
      fapilog: { kind: "sink", type: "effect3only", apiVersion: "1.0", effect: [3] }
    },
    files: {
      "index.js": sinkPlugin({
        name: "@fapilog/effect3only",
        type: "effect3only",
        flavor: "esm",
        withFapilog
      })
    }
  },
  {
    // the Effect 4 package of plugin "lines" (its name carries -effect4, its plugin object's not)
    name: "@fapilog/lines-effect4",
    manifest: {
      type: "module",
      exports: { ".": { import: "./index.js" } },
      fapilog: { kind: "sink", type: "lines", apiVersion: "1.0", effect: [4] }
    },
    files: {
      "index.js": sinkPlugin({ name: "@fapilog/lines", type: "lines", flavor: "esm", withFapilog })
    }
  },
  {
    // named for Effect 4 but declaring both lines: still not looked for by Effect 3 names
    name: "@fapilog/bothlines-effect4",
    manifest: {
      type: "module",
      fapilog: { kind: "sink", type: "bothlines", apiVersion: "1.0", effect: [3, 4] }
    },
    files: { "index.js": "throw new Error('@fapilog/bothlines-effect4 must not be imported')" }
  },
  {
    // named as an Effect 3 package, declared as built for Effect 4: never imported on Effect 3
    name: "@fapilog/wrongline",
    manifest: {
      type: "module",
      fapilog: { kind: "sink", type: "wrongline", apiVersion: "1.0", effect: [4] }
    },
    files: { "index.js": "throw new Error('@fapilog/wrongline must not be imported')" }
  },
  {
    // named as an Effect 4 package, declared as built for Effect 3: never imported on Effect 4
    name: "@fapilog/wrongline-effect4",
    manifest: {
      type: "module",
      fapilog: { kind: "sink", type: "wrongline", apiVersion: "1.0", effect: [3] }
    },
    files: { "index.js": "throw new Error('@fapilog/wrongline-effect4 must not be imported')" }
  },
  ...["@fapilog/badlines", "@fapilog/badlines-effect4"].map((name) => ({
    // an Effect line list that is not one
    name,
    manifest: {
      type: "module",
      fapilog: { kind: "sink", type: "badlines", apiVersion: "1.0", effect: "4" }
    },
    files: { "index.js": `throw new Error('${name} must not be imported')` }
  })),
  {
    // no exports, no fapilog field, plugin as module.exports itself
    name: "fapilog-plugin-cjsonly",
    manifest: { main: "lib/main.js" },
    files: {
      "lib/main.js": sinkPlugin({
        name: "fapilog-plugin-cjsonly",
        type: "cjsonly",
        flavor: "cjs",
        how: "default",
        withFapilog
      })
    }
  },
  {
    name: "@fapilog/dual",
    manifest: {
      exports: { ".": { import: "./esm.mjs", require: "./cjs.cjs" }, "./package.json": "./package.json" },
      ...sinkField("dual")
    },
    files: {
      "esm.mjs": sinkPlugin({ name: "@fapilog/dual", type: "dual", flavor: "esm", withFapilog }),
      "cjs.cjs": sinkPlugin({ name: "@fapilog/dual", type: "dual", flavor: "cjs", withFapilog })
    }
  },
  {
    // both names installed: the scoped one wins
    name: "fapilog-plugin-dual",
    manifest: sinkField("dual"),
    files: {
      "index.js": "throw new Error('fapilog-plugin-dual must not be loaded when @fapilog/dual exists')"
    }
  },
  {
    name: "@fapilog/flaky",
    manifest: { type: "module", ...sinkField("flaky") },
    files: {
      "index.js": sinkPlugin({
        name: "@fapilog/flaky",
        type: "flaky",
        flavor: "esm",
        withFapilog,
        start: "return Effect.fail(FAIL_START)"
      })
    }
  },
  {
    name: "@fapilog/thrower",
    manifest: { type: "module", ...sinkField("thrower") },
    files: {
      "index.js": sinkPlugin({
        name: "@fapilog/thrower",
        type: "thrower",
        flavor: "esm",
        withFapilog,
        writeSync: "throw new Error('thrower cannot write')"
      })
    }
  },
  {
    name: "@fapilog/geo",
    manifest: { type: "module", fapilog: { kind: "enricher", type: "geo", apiVersion: "1.0" } },
    files: {
      "index.js": `import { Effect, Schema } from "effect"
export default {
  name: "@fapilog/geo", type: "geo", kind: "enricher", version: "1.0.0", apiVersion: "1.0", description: "region",
  config: Schema.Struct({ region: Schema.String }),
  make: ({ region }) => Effect.succeed({ name: "geo", enrich: () => ({ region }) })
}
`
    }
  },
  {
    // refused from its package.json alone: its code must never run
    name: "@fapilog/newer",
    manifest: { type: "module", ...sinkField("newer", "2.0") },
    files: { "index.js": 'import * as fs from "node:fs"\nfs.writeFileSync("newer-was-loaded", "")\n' }
  },
  {
    name: "@fapilog/liar",
    manifest: { type: "module", ...sinkField("liar") },
    files: {
      "index.js": sinkPlugin({ name: "@fapilog/liar", type: "liar", flavor: "esm", apiVersion: "1.9" })
    }
  },
  {
    name: "@fapilog/broken",
    manifest: { type: "module" },
    files: { "index.js": "throw new Error('cannot load native binding')\n" }
  },
  {
    name: "fapilog-plugin-empty",
    manifest: { type: "module" },
    files: { "index.js": "export const notAPlugin = 1\n" }
  },
  {
    name: "@fapilog/denied",
    manifest: { type: "module", ...sinkField("denied") },
    files: { "index.js": 'import * as fs from "node:fs"\nfs.writeFileSync("denied-was-loaded", "")\n' }
  },
  {
    name: "fapilog-plugin-wrongkind",
    manifest: { type: "module", fapilog: { kind: "enricher", type: "wrongkind", apiVersion: "1.0" } },
    files: { "index.js": 'import * as fs from "node:fs"\nfs.writeFileSync("wrongkind-was-loaded", "")\n' }
  }
]

export const install = (nodeModules: string, list: ReadonlyArray<Fixture>) => {
  for (const f of list) {
    const dir = path.join(nodeModules, ...f.name.split("/"))
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({ name: f.name, version: "1.0.0", ...f.manifest }, null, 2)
    )
    for (const [file, text] of Object.entries(f.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
      fs.writeFileSync(path.join(dir, file), text)
    }
  }
}
