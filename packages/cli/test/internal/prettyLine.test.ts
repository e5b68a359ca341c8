/**
 * The line renderer of `fapilog pretty`, against lines written by fapilog itself: every built-in
 * format and JSON layout, renamed keys and both `keys` presets, each through a file sink.
 * Every event line reads back as the same event (the pretty formatter's own line, up to the
 * fields a layout adds); text formats pass through unchanged.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { createLogger, Formatter, type Settings } from "fapilog"
import { eventOf, makeRenderer } from "../../src/internal/prettyLine.js"

const scratch = (() => {
  const root = path.resolve(import.meta.dirname, "..", "..", "..", "..", ".tmp")
  fs.mkdirSync(root, { recursive: true })
  return fs.mkdtempSync(path.join(root, "cli-pretty-"))
})()
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const ESC = "\u001b"

/** The sinks, by name: a file sink each, with the options that make its lines. */
const sinks: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  json: { format: "json" },
  renamed: {
    format: "json",
    messageKey: "msg",
    levelKey: "lvl",
    timestampKey: "ts",
    timestampFormat: "epochMs"
  },
  gcp: { format: "json", keys: "gcp" },
  datadog: { format: "json", keys: "datadog" },
  ecs: { format: "json", layout: "ecs" },
  otel: { format: "json", layout: "otel" },
  pino: { format: "json", layout: "pino" },
  logfmt: { format: "logfmt" },
  pretty: { format: "pretty" },
  minimal: { format: "minimal" }
}

/** Logs the same three events to every sink and returns each file's lines (once per file run). */
let once: Promise<Readonly<Record<string, ReadonlyArray<string>>>> | undefined
const written = () => (once ??= writeAll())
const writeAll = async (): Promise<Readonly<Record<string, ReadonlyArray<string>>>> => {
  const files = Object.fromEntries(
    Object.keys(sinks).map((name) => [name, path.join(scratch, `${name}.log`)])
  )
  const log = await createLogger({
    name: "checkout",
    level: "trace",
    sinks: Object.entries(sinks).map(([name, options]) => ({
      type: "file",
      path: files[name],
      ...options
    })) as ReadonlyArray<Settings.SinkSetting>
  })
  log.info("order placed", { orderId: "o-42", total: 19.9 })
  log.debug("cache miss", { key: "k1" })
  const failure = new Error("card declined")
  log.error("payment failed", { orderId: "o-42", err: failure })
  await log.close()
  return Object.fromEntries(
    Object.entries(files).map(([name, file]) => [
      name,
      fs
        .readFileSync(file as string, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    ])
  )
}

describe("fapilog pretty: the line renderer", () => {
  it("reads the lines of every JSON layout and key naming as the events that were logged", async () => {
    const lines = await written()
    const render = makeRenderer({ colors: false })
    for (const name of ["json", "renamed", "gcp", "datadog", "ecs", "otel", "pino"]) {
      const out = (lines[name] ?? []).map(render)
      assert.lengthOf(out, 3, name)
      const [info, debug, error] = out
      assert.match(
        info ?? "",
        /^\d{2}:\d{2}:\d{2}\.\d{3} INFO {2}(checkout: )?order placed .*orderId=o-42/,
        name
      )
      assert.include(info, "total=19.9", name)
      assert.match(debug ?? "", / DEBUG (checkout: )?cache miss .*key=k1/, name)
      assert.match(error ?? "", / ERROR (checkout: )?payment failed .*orderId=o-42/, name)
      assert.include(error, "card declined", name)
      for (const line of out) assert.notInclude(line, ESC, name)
    }
  })

  it("keeps the time, logger and message of the fapilog JSON line exactly", async () => {
    const lines = await written()
    const [first] = lines.json ?? []
    const parsed = JSON.parse(first ?? "{}") as { timestamp: string }
    const rendered = makeRenderer({ colors: false })(first ?? "")
    assert.strictEqual(
      rendered,
      `${parsed.timestamp.slice(11, 23)} INFO  checkout: order placed orderId=o-42 total=19.9`
    )
  })

  it("passes the text formats (logfmt, pretty, minimal) through unchanged", async () => {
    const lines = await written()
    const render = makeRenderer({ colors: false, minLevel: "fatal" })
    for (const name of ["logfmt", "pretty", "minimal"]) {
      assert.lengthOf(lines[name] ?? [], 3, name)
      for (const line of lines[name] ?? []) assert.strictEqual(render(line), line, name)
    }
  })

  it("filters by level: events below it are dropped, lines that are not events are kept", async () => {
    const lines = await written()
    const render = makeRenderer({ colors: false, minLevel: "warn" })
    for (const name of ["json", "gcp", "datadog", "ecs", "otel", "pino", "renamed"]) {
      const out = (lines[name] ?? []).map(render).filter((l) => l !== undefined)
      assert.lengthOf(out, 1, name)
      assert.include(out[0], "payment failed", name)
    }
    assert.strictEqual(render("not json at all"), "not json at all")
    assert.strictEqual(render('{"no":"level"}'), '{"no":"level"}')
  })

  it("includes and excludes user fields", async () => {
    const [line] = (await written()).json ?? []
    const only = makeRenderer({ colors: false, include: ["total"] })(line ?? "")
    assert.include(only, "total=19.9")
    assert.notInclude(only, "orderId")
    const without = makeRenderer({ colors: false, exclude: ["total"] })(line ?? "")
    assert.include(without, "orderId=o-42")
    assert.notInclude(without, "total")
  })

  it("colours only when asked, with the pretty formatter's own colours", async () => {
    const [line] = (await written()).json ?? []
    const coloured = makeRenderer({ colors: true })(line ?? "")
    assert.include(coloured, `${ESC}[32mINFO `)
    const event = eventOf(JSON.parse(line ?? "{}") as Record<string, unknown>)
    assert.isDefined(event)
    if (event !== undefined) assert.strictEqual(coloured, Formatter.pretty({ colors: true }).format(event))
  })

  it("uses a message key or level key it is given", () => {
    const render = makeRenderer({ colors: false, messageKey: "note", levelKey: "sev" })
    assert.strictEqual(
      render('{"sev":"WARNING","note":"disk low","time":"2026-03-01T10:15:30.123Z","free":3}'),
      "10:15:30.123 WARN  disk low free=3"
    )
  })

  it("never throws on hostile lines, and escapes what could forge a line or a colour", () => {
    const render = makeRenderer({ colors: false })
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`
    assert.strictEqual(render(`{"a":${deep}}`), `{"a":${deep}}`)
    assert.strictEqual(render('{"level":"info"'), '{"level":"info"')
    const forged = render(
      JSON.stringify({
        level: "info",
        message: `a\nFAKE ${ESC}[31mred`,
        __proto__x: 1,
        ["__proto__"]: { polluted: true }
      })
    )
    assert.notInclude(forged, "\n")
    assert.notInclude(forged, ESC)
    assert.isUndefined(({} as { polluted?: unknown }).polluted)
    assert.include(render('{"level":"info","message":"m","big":12345678901234567890}'), "big=")
    assert.include(render('{"level":10,"msg":"pino trace","time":"not a time"}'), "TRACE")
    assert.include(render('{"Body":{"k":1},"SeverityNumber":14,"Timestamp":"x"}'), "WARN")
  })
})
