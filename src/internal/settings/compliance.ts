/**
 * Compliance profiles (docs/compliance.md): `compliance: ["pci-dss", "gdpr"]`, a setting of
 * its own, combined with any preset. Each profile is a bundle of parts, each part mapped to
 * the control it addresses. After every source is resolved (preset, file, environment,
 * code), the profiles are applied to the FINAL settings:
 *
 * - parts fapilog can supply without a secret are ADDED when the settings lack them: the
 *   `pii` processor plugin entry (`{ type: "pii", onError: "drop" }`), and redaction of the
 *   usual secret keys when no `redact` is set;
 * - parts that need what only the operator has (a path, a key, an allow-list) are REQUIRED:
 *   an audit sink with its key, an encryption processor with its keys, an enforced
 *   `minimise` allow-list;
 * - what breaks a profile is REFUSED: a network sink that is not encrypted in transit,
 *   redaction turned off, a protective processor that lets unprocessed events through,
 *   processors or an overflow policy that would thin the audit trail.
 *
 * Every problem is one issue, reported with every other problem of the settings (and with
 * the plugins that cannot be found, whose message gives the `npm install` line). A part
 * that several profiles need is reported once, naming each profile and its control.
 */
import * as fs from "node:fs"
import { oneOf, show } from "../configSchema.js"
import { origins } from "../plugin.js"
import { sensitiveKeys } from "./presets.js"
import type { ValidPluginProcessor } from "./processors.js"
import type { ResolvedSettings } from "./resolve.js"
import { by, type Check, type Issues, isRecord } from "./shape.js"
import type { ValidSinkSetting } from "./sinks.js"

export const profileNames = ["pci-dss", "hipaa", "sox", "gdpr"] as const
export type ProfileName = (typeof profileNames)[number]

/** What a profile is made of. */
export type Part = "redaction" | "pii" | "encryption" | "audit" | "minimisation" | "tls"

/** Each profile's parts, with the control each addresses (docs/compliance.md lists them). */
export const profiles: Readonly<Record<ProfileName, Readonly<Partial<Record<Part, string>>>>> = {
  "pci-dss": {
    pii: "PCI-DSS 3.4 / 3.5.1: card numbers unreadable wherever stored, logs included",
    redaction: "PCI-DSS 3.4 / 3.5.1, 8.3.1: no secrets or authentication data in the logs",
    audit: "PCI-DSS 10.2, 10.3: audit trails of user and security events, protected from modification",
    tls: "PCI-DSS 4.2.1: strong cryptography for data sent over networks"
  },
  hipaa: {
    pii: "HIPAA 164.514(b), 164.502(b): identifiers kept out of the logs (minimum necessary)",
    redaction: "HIPAA 164.312(a)(1): no credentials in the logs",
    encryption: "HIPAA 164.312(a)(2)(iv): encryption of ePHI at rest",
    audit: "HIPAA 164.312(b) audit controls, 164.312(c)(1) integrity",
    tls: "HIPAA 164.312(e)(1), (e)(2)(ii): transmission security"
  },
  sox: {
    pii: "SOX 404 (ITGC, access security): card numbers, identifiers and tokens kept out of the trail",
    redaction: "SOX 404 (ITGC, access security): no credentials in the logs",
    audit: "SOX 404 (ITGC), 802: a complete, tamper-evident audit trail",
    tls: "SOX 404 (ITGC): audit records not altered in transit"
  },
  gdpr: {
    minimisation: "GDPR Art. 5(1)(c): data minimisation",
    pii: "GDPR Art. 32(1)(a), Art. 25: pseudonymisation, data protection by default",
    redaction: "GDPR Art. 32: security of processing",
    tls: "GDPR Art. 32(1)(a), (b): confidentiality in transit"
  }
}

export const fields = {
  compliance: oneOf(profileNames, "A compliance profile (see docs/compliance.md).")
}

const profileName = by(fields.compliance)

/** A list of profile names (each one checked); any case in the environment. */
export const profileList: Check<ReadonlyArray<ProfileName>> = (v, at, issues) => {
  if (!Array.isArray(v)) {
    issues.push({
      path: at,
      message: `${show(v)} is not a list of compliance profiles (${profileNames.join(", ")})`
    })
    return undefined
  }
  const out: Array<ProfileName> = []
  const before = issues.length
  v.forEach((p, i) => {
    const name = profileName(p, `${at}[${i}]`, issues)
    if (name !== undefined && !out.includes(name)) out.push(name)
  })
  return issues.length > before ? undefined : out
}

export const shape = {
  /**
   * Compliance profiles, any of `pci-dss`, `hipaa`, `sox`, `gdpr`: each adds what fapilog
   * can supply (the `pii` processor, redaction of secret keys), requires what only you can
   * give (an audit sink and its key, an encryption key, a minimisation allow-list) and
   * refuses what breaks it (a plaintext network sink, redaction off). Profiles from every
   * source are combined. See docs/compliance.md.
   */
  compliance: profileList
}

/** The secret keys a profile redacts when no `redact` setting is given (the production preset's). */
export const profileRedaction = { keys: sensitiveKeys, urls: true } as const

// ---------------------------------------------------------------------------------------
// Applying the profiles to the final settings

/** The profiles among `active` that need `part`, and why: "pci-dss (PCI-DSS 10.2, ...)". */
const needing = (active: ReadonlyArray<ProfileName>, part: Part): ReadonlyArray<ProfileName> =>
  active.filter((p) => profiles[p][part] !== undefined)

const because = (active: ReadonlyArray<ProfileName>, part: Part): string =>
  needing(active, part)
    .map((p) => `${p} (${profiles[p][part]})`)
    .join("; ")

/** The path of an entry in messages: where it was written when that is known. */
const pathOf = (entry: object, fallback: string): string => origins.get(entry)?.at ?? fallback

/** A sink entry of a plugin, with where it sits in `sinks`. */
interface PluginSinkAt {
  readonly entry: Readonly<Record<string, unknown>> & { readonly type: string }
  readonly at: string
}

const builtInSinks: ReadonlySet<string> = new Set(["stdout", "stderr", "null", "file", "route", "alert"])

/** Every plugin sink entry of `sinks`, routes' and alerts' included. */
const pluginSinks = (list: ReadonlyArray<ValidSinkSetting>, at: string, out: Array<PluginSinkAt> = []) => {
  list.forEach((s, i) => {
    if (!isRecord(s) || typeof s.type !== "string") return
    const here = `${at}[${i}]`
    if (s.type === "route" && Array.isArray(s.routes))
      s.routes.forEach((r: unknown, j: number) => {
        if (isRecord(r) && Array.isArray(r.sinks)) pluginSinks(r.sinks, `${here}.routes[${j}].sinks`, out)
      })
    else if (s.type === "alert" && Array.isArray(s.notify)) pluginSinks(s.notify, `${here}.notify`, out)
    else if (!builtInSinks.has(s.type)) out.push({ entry: s as PluginSinkAt["entry"], at: here })
  })
  return out
}

const loopback = (host: string): boolean => {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase()
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h)
}

/** Schemes that are encrypted in transit, and those that are only with the entry's `tls` setting. */
const encrypted: ReadonlySet<string> = new Set([
  "https:",
  "wss:",
  "rediss:",
  "tls:",
  "amqps:",
  "mqtts:",
  "grpcs:"
])
const plainUnlessTls: ReadonlySet<string> = new Set(["redis:", "nats:", "amqp:", "mqtt:"])
const plaintext: ReadonlySet<string> = new Set(["http:", "ws:", "tcp:", "udp:", "grpc:"])
const secureSslModes: ReadonlySet<string> = new Set(["require", "verify-ca", "verify-full"])

const isOn = (u: unknown): boolean => u === true || isRecord(u)

/** A URL as messages show it: scheme and host, never its credentials, path or query. */
const shown = (url: URL): string => `${url.protocol}//${url.host}`

/** Why a URL of a sink entry is not encrypted in transit, or undefined when it is (or is local). */
const plaintextUrl = (text: string, entry: Readonly<Record<string, unknown>>): string | undefined => {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  if (url.hostname === "" || loopback(url.hostname) || encrypted.has(url.protocol)) return undefined
  if (plaintext.has(url.protocol)) return `${shown(url)} is not encrypted in transit`
  if (plainUnlessTls.has(url.protocol) && !isOn(entry.tls))
    return `${shown(url)} is not encrypted in transit (no tls setting)`
  if (
    (url.protocol === "postgres:" || url.protocol === "postgresql:") &&
    !secureSslModes.has(url.searchParams.get("sslmode") ?? "") &&
    !isOn(entry.ssl)
  )
    return `${shown(url)} is not encrypted in transit (sslmode is not require, verify-ca or verify-full)`
  return undefined
}

/**
 * Where a plugin sink entry sends events in clear over a network: each string value (and
 * string list item) that is a URL, and the transports of the first-party sinks that are not
 * URLs (Kafka brokers without `tls`, syslog without `protocol: "tls"`). Sinks given as
 * objects in code are not inspected.
 */
const plaintextIn = (entry: PluginSinkAt["entry"]): ReadonlyArray<{ key: string; why: string }> => {
  const out: Array<{ key: string; why: string }> = []
  for (const [key, v] of Object.entries(entry)) {
    const texts = typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === "string") : []
    for (const t of texts) {
      const why = plaintextUrl(t, entry)
      if (why !== undefined) out.push({ key, why })
    }
  }
  if (entry.type === "kafka" && entry.brokers !== undefined && !isOn(entry.tls)) {
    const brokers = (Array.isArray(entry.brokers) ? entry.brokers : [entry.brokers]).map(String)
    const remote = brokers.filter((b) => !loopback(b.replace(/:\d+$/, "")))
    if (remote.length > 0)
      out.push({ key: "brokers", why: `${remote.join(", ")} are reached without TLS (no tls setting)` })
  }
  if (
    entry.type === "syslog" &&
    entry.protocol !== "tls" &&
    typeof entry.host === "string" &&
    !loopback(entry.host)
  )
    out.push({
      key: "protocol",
      why: `syslog to ${entry.host} over ${typeof entry.protocol === "string" ? entry.protocol : "tcp (the default)"} is not encrypted in transit`
    })
  return out
}

/** The names an `env:NAME` or `file:/path` key reference leaves unresolved, or undefined when it resolves. */
const missingKey = (ref: unknown): string | undefined => {
  if (typeof ref !== "string" || ref.length === 0) return "is not set"
  if (ref.startsWith("env:")) {
    const name = ref.slice(4)
    const v = process.env[name]
    return v === undefined || v.trim() === ""
      ? `names the environment variable ${name}, which is not set`
      : undefined
  }
  if (ref.startsWith("file:")) {
    const path = ref.slice(5)
    return fs.existsSync(path) ? undefined : `names the file ${path}, which does not exist`
  }
  return undefined
}

/** A processor's `order` (default 0): lower runs first, ties in their settings order. */
const orderOf = (p: unknown): number => {
  const order = (p as { readonly order?: unknown } | null)?.order
  return typeof order === "number" && Number.isFinite(order) ? order : 0
}

/** Whether processors[a] runs after processors[b]. */
const runsAfter = (processors: ReadonlyArray<unknown>, a: number, b: number): boolean => {
  const oa = orderOf(processors[a])
  const ob = orderOf(processors[b])
  return oa > ob || (oa === ob && a > b)
}

const isPluginEntry = (p: unknown, type: string): p is ValidPluginProcessor =>
  isRecord(p) && p.type === type && p.process === undefined && p.processBatch === undefined

const installHint = (type: string): string => `npm install @fapilog/${type}`

/**
 * The settings with what the active profiles add, every problem with them pushed to
 * `issues` (see the header). Without profiles, the settings as they are.
 */
export const applyProfiles = (
  settings: ResolvedSettings,
  issues: Issues,
  /** Where the final value of a top-level setting was written, as a prefix of paths (`fapilog.yaml: `). */
  writtenIn: (key: string) => string = () => ""
): ResolvedSettings => {
  const active = settings.compliance ?? []
  if (active.length === 0) return settings
  const where = (key: string, rest = ""): string => `${writtenIn(key)}${key}${rest}`
  let out: ResolvedSettings = settings

  // redaction: added when none is set, refused when it is set to censor nothing
  if (needing(active, "redaction").length > 0) {
    const r = out.redact
    if (r === undefined)
      out = { ...out, redact: { keys: profileRedaction.keys, urls: profileRedaction.urls } }
    else if ((r.keys?.length ?? 0) === 0 && (r.paths?.length ?? 0) === 0)
      issues.push({
        path: where("redact"),
        message: `names no keys or paths, so redaction is off; ${because(active, "redaction")} need it on: give redact.keys (or remove redact, and the profile redacts ${profileRedaction.keys.length} usual secret keys)`
      })
  }

  // processors: pii added (fail closed), encryption required
  const processors = [...out.processors]
  if (needing(active, "pii").length > 0) {
    const found = processors.findIndex((p) => isPluginEntry(p, "pii"))
    if (found < 0) {
      // first of all processors: nothing of yours (an encryption processor above all) sees
      // an event before it is scanned
      const first = Math.min(0, ...processors.map(orderOf)) - 1
      const entry: ValidPluginProcessor = { type: "pii", onError: "drop", order: first }
      origins.set(entry, {
        at: `compliance (${needing(active, "pii").join(", ")}) adds processors[${processors.length}] { type: "pii" }`,
        typeAt: `compliance (${needing(active, "pii").join(", ")}) adds processors[${processors.length}] { type: "pii" }`
      })
      processors.push(entry)
    } else {
      const entry = processors[found] as ValidPluginProcessor
      if (entry.onError === "pass")
        issues.push({
          path: `${pathOf(entry, `processors[${found}]`)}.onError`,
          message: `is "pass": an event the pii processor cannot scan would be written unscanned; ${because(active, "pii")} need "drop" (or leave it out: the profile sets it)`
        })
      else if (entry.onError === undefined) {
        const closed: ValidPluginProcessor = { ...entry, onError: "drop" }
        const origin = origins.get(entry)
        if (origin !== undefined) origins.set(closed, origin)
        processors[found] = closed
      }
    }
  }
  // an encryption processor that runs before pii would hide the values from it
  const pii = processors.findIndex((p) => isPluginEntry(p, "pii"))
  if (needing(active, "pii").length > 0 && pii >= 0)
    processors.forEach((p, i) => {
      if (!isPluginEntry(p, "encryption") || runsAfter(processors, i, pii)) return
      issues.push({
        path: `${pathOf(p, `processors[${i}]`)}.order`,
        message: `runs before the pii processor, which would then scan ciphertext and leave the values in clear inside it; ${because(active, "pii")} need pii first: give encryption a higher order than pii's (${orderOf(processors[pii])})`
      })
    })
  if (needing(active, "encryption").length > 0) {
    const found = processors.findIndex((p) => isPluginEntry(p, "encryption"))
    if (found < 0)
      issues.push({
        path: where("processors"),
        message: `has no encryption processor; ${because(active, "encryption")} need one: add { type: "encryption", keys: "env:NAME" or "file:/path" } (${installHint("encryption")}); fapilog cannot choose your keys`
      })
    else {
      const entry = processors[found] as ValidPluginProcessor
      const problem = missingKey(entry.keys)
      if (problem !== undefined)
        issues.push({
          path: `${pathOf(entry, `processors[${found}]`)}.keys`,
          message: `${problem}: no key for encryption; ${because(active, "encryption")} need one`
        })
    }
  }
  if (processors.length !== out.processors.length || processors.some((p, i) => p !== out.processors[i]))
    out = { ...out, processors }

  const sinks = pluginSinks(out.sinks, "sinks")

  // an audit sink with its key, required
  if (needing(active, "audit").length > 0) {
    const audits = sinks.filter((s) => s.entry.type === "audit")
    if (audits.length === 0)
      issues.push({
        path: where("sinks"),
        message: `has no audit sink; ${because(active, "audit")} need a tamper-evident trail: add { type: "audit", path, key } (${installHint("audit")}); fapilog cannot choose its path or key`
      })
    for (const a of audits) {
      const at = pathOf(a.entry, a.at)
      if (a.entry.path === undefined)
        issues.push({
          path: `${at}.path`,
          message: `is required: where the audit trail is written (${because(active, "audit")})`
        })
      const problem = missingKey(a.entry.key)
      if (problem !== undefined)
        issues.push({
          path: `${at}.key`,
          message: `${problem}: the audit trail needs its HMAC key (hex of at least 32 bytes, or "env:NAME"); ${because(active, "audit")}`
        })
    }
  }

  // the trail complete: no processor may thin audit or security events, no overflow refuse them
  if (needing(active, "audit").length > 0) {
    const thinning = [
      ["sampling", out.sampling?.levels],
      ["throttle", out.throttle?.levels],
      ["dedupe", out.dedupe?.levels],
      ["fingersCrossed", out.fingersCrossed?.levels]
    ] as const
    for (const [key, levels] of thinning) {
      const trail = (levels ?? []).filter((l) => l === "audit" || l === "security")
      if (trail.length > 0)
        issues.push({
          path: where(key, ".levels"),
          message: `names ${trail.join(" and ")}: ${key} would leave out events the audit trail must keep; ${because(active, "audit")}`
        })
    }
    if (out.protectedLevel === "security")
      issues.push({
        path: where("protectedLevel"),
        message: `is "security": audit events could be refused when the buffer is full; ${because(active, "audit")} need "audit" or lower`
      })
  }

  // network sinks encrypted in transit
  if (needing(active, "tls").length > 0)
    for (const s of sinks)
      for (const { key, why } of plaintextIn(s.entry))
        issues.push({
          path: `${pathOf(s.entry, s.at)}.${key}`,
          message: `${why}; ${because(active, "tls")} need https/TLS (a sink on this machine, localhost or 127.0.0.1, is exempt)`
        })

  // an enforced allow-list, required
  if (needing(active, "minimisation").length > 0) {
    if (out.minimise === undefined)
      issues.push({
        path: "minimise",
        message: `is not set; ${because(active, "minimisation")} need the fields each logger may write: add minimise: { allow: { "*": [...] } } (try mode: "report" without the profile first)`
      })
    else if (out.minimise.mode === "report")
      issues.push({
        path: where("minimise", ".mode"),
        message: `is "report", which keeps every field; ${because(active, "minimisation")} need "enforce" (report mode is for trying a list before the profile is on)`
      })
  }
  return out
}
