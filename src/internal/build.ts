import type * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import { ConfigError, type ConfigIssue, SinkError } from "../Errors.js"
import type { Processor as PublicProcessor } from "../Processor.js"
import type { Sink } from "../Sink.js"
import * as alertSink from "./alertSink.js"
import { makeDedupe } from "./dedupe.js"
import { Diagnostics } from "./diagnostics.js"
import type { CallSiteEnricher, NamedEnricher } from "./enrichers.js"
import * as fileSinks from "./fileSink.js"
import { makeFingersCrossed } from "./fingersCrossed.js"
import { type FormatterImpl, json, makeJson } from "./formatter.js"
import { RuntimeSampler, staticFields } from "./hostEnrichers.js"
import { defaultLimits, type JsonLimits } from "./json.js"
import { makeEcs, makeOtel, makePino } from "./layouts.js"
import { compileLineKeys, hasKeyNames, type KeyNames, keyNamesId } from "./lineKeys.js"
import { makeLogfmt } from "./logfmt.js"
import { makeMinimise } from "./minimise.js"
import * as pipeline from "./pipeline.js"
import * as plugins from "./plugin.js"
import { makeMinimal, makePretty, shouldColor } from "./pretty.js"
import { fromPublic, type StageProcessor } from "./processor.js"
import { protectedDiagnostics } from "./protectedDiagnostics.js"
import { Bindings } from "./record.js"
import { type CompiledRedaction, compile } from "./redact.js"
import { RetentionReports } from "./retentionReport.js"
import { makeSampler } from "./sampling.js"
import { makeSerializers } from "./serializers.js"
import { profiles as complianceProfiles } from "./settings/compliance.js"
import {
  collect,
  type Format,
  formatNames,
  isBuiltInFormat,
  type LayoutName,
  type ResolvedSettings,
  type RouteSetting,
  type SinkSelection,
  sinkNames,
  type ValidAlertSink,
  type ValidFileSink,
  type ValidPluginEnricher,
  type ValidPluginFormat,
  type ValidPluginProcessor,
  type ValidPluginSink,
  type ValidSinkOptions,
  type ValidSinkSetting,
  type ValidStreamSink
} from "./settings/index.js"
import * as sinks from "./sink.js"
import { reservedSinkKeys } from "./sinkKeys.js"
import { makeSizeGuard } from "./sizeGuard.js"
import { makeThrottle } from "./throttle.js"

type FormatterFor = (
  format: Format,
  layout: LayoutName,
  stream: NodeJS.WriteStream | undefined,
  keys: KeyNames
) => FormatterImpl

/**
 * One formatter instance per choice within a logger, so sinks that share a format share its
 * rendering; each logger has its own, with its own serialization limits. A formatter
 * plugin's entry maps to the formatter opened for it (`plugins`, opened before the sinks).
 */
const formatterCache = (limits: JsonLimits, opened: ReadonlyMap<object, FormatterImpl>): FormatterFor => {
  const cache = new Map<string, FormatterImpl>()
  const custom = limits !== defaultLimits
  return (format, layout, stream, keys) => {
    if (!isBuiltInFormat(format)) {
      const f = opened.get(format)
      // every format entry of the settings was resolved and opened before any sink
      if (f === undefined) throw new Error(`formatter plugin ${format.type} was not opened`)
      return f
    }
    const colors = format === "pretty" && stream !== undefined && shouldColor(stream, process.env)
    // key names apply to the default JSON layout only (the settings refuse them elsewhere,
    // except on a terminal that is pretty by default, where they are not written)
    const renamed = format === "json" && layout === "default" && hasKeyNames(keys)
    const key = `${format}/${layout}/${colors}${renamed ? `/${keyNamesId(keys)}` : ""}`
    let f = cache.get(key)
    if (f === undefined) {
      f = renamed
        ? makeJson(limits, compileLineKeys(keys))
        : format === "logfmt"
          ? makeLogfmt(limits)
          : format === "pretty"
            ? makePretty({ colors, limits })
            : format === "minimal"
              ? makeMinimal(limits)
              : layout === "ecs"
                ? makeEcs(limits)
                : layout === "otel"
                  ? makeOtel(limits)
                  : layout === "pino"
                    ? makePino(limits)
                    : custom
                      ? makeJson(limits)
                      : json
      cache.set(key, f)
    }
    return f
  }
}

/**
 * `sink` under the selection of its entry: its own level, then its categories, then its
 * filter (which so sees only the events the cheaper tests let through).
 */
const selected = (sink: Sink, options: SinkSelection): Sink => {
  let s = options.level === undefined ? sink : sinks.withMinLevel(sink, options.level)
  if (options.categories !== undefined || options.excludeCategories !== undefined)
    s = sinks.withCategories(s, { include: options.categories, exclude: options.excludeCategories })
  return options.filter === undefined ? s : sinks.withFilter(s, options.filter)
}

type BuiltInSetting =
  | ValidStreamSink
  | ValidFileSink
  | RouteSetting<ValidSinkSetting>
  | ValidAlertSink<ValidSinkSetting>

const isBuiltIn = (s: { readonly type: string }): s is BuiltInSetting =>
  (sinkNames as ReadonlyArray<string>).includes(s.type)

const isSettingObject = (s: ValidSinkSetting): s is BuiltInSetting | ValidPluginSink =>
  typeof s === "object" && !Effect.isEffect(s) && "type" in s && typeof s.type === "string"

/** What a logger tells the plugins it opens. */
const hostOf = (
  settings: ResolvedSettings,
  diagnostics: Diagnostics,
  retention: RetentionReports
): plugins.Host => ({
  retention: (deletion) => retention.deleted(deletion),
  logger: settings.name,
  service: settings.enrich?.service,
  diagnostics,
  settings: settings.plugins,
  shutdownTimeoutMs: settings.shutdownTimeoutMs,
  at: undefined,
  fallback: settings.fallback
})

/** The plugin config of an entry: everything but the keys fapilog reads itself. */
const pluginConfig = (entry: Readonly<Record<string, unknown>>, reserved: ReadonlyArray<string>) =>
  Object.fromEntries(Object.entries(entry).filter(([k]) => !reserved.includes(k)))

/** A `processors` entry naming a plugin (the rule of the settings check). */
const isPluginProcessor = (p: PublicProcessor | ValidPluginProcessor): p is ValidPluginProcessor =>
  "type" in p && typeof p.type === "string" && p.process === undefined && p.processBatch === undefined

/** The keys of an entry that fapilog reads itself, by kind; the rest is the plugin's config. */
const reservedKeys: Readonly<Record<plugins.Request["kind"], ReadonlyArray<string>>> = {
  sink: reservedSinkKeys,
  enricher: ["type"],
  processor: ["type", "order", "onError"],
  formatter: ["type"]
}

/**
 * Every plugin entry of the settings, with where it is: sinks (routes included), enrichers,
 * processors, and the formats (the logger's and each text sink's) that name a formatter plugin.
 */
const pluginRequests = (
  settings: ResolvedSettings
): ReadonlyArray<{ readonly entry: object; readonly request: plugins.Request }> => {
  const out: Array<{ entry: object; request: plugins.Request }> = []
  const request = (entry: { readonly type: string }, kind: plugins.Request["kind"], fallbackAt: string) => {
    const origin = plugins.origins.get(entry)
    out.push({
      entry,
      request: {
        type: entry.type,
        kind,
        config: pluginConfig(entry, reservedKeys[kind]),
        at: origin?.at ?? fallbackAt,
        typeAt: origin?.typeAt ?? `${fallbackAt}.type`
      }
    })
  }
  const format = (f: Format | undefined, at: string) => {
    if (f !== undefined && !isBuiltInFormat(f)) request(f, "formatter", at)
  }
  format(settings.format, "format")
  const walk = (list: ReadonlyArray<ValidSinkSetting>, at: string): void => {
    list.forEach((s, i) => {
      if (!isSettingObject(s)) return
      if (!isBuiltIn(s)) request(s, "sink", `${at}[${i}]`)
      else if (s.type === "route")
        s.routes.forEach((r, j) => {
          walk(r.sinks, `${at}[${i}].routes[${j}].sinks`)
        })
      else if (s.type === "alert") walk(s.notify, `${at}[${i}].notify`)
      else if (s.type !== "null") format(s.format, `${at}[${i}].format`)
    })
  }
  walk(settings.sinks, "sinks")
  settings.enrichers.forEach((e, i) => {
    if ("type" in e) request(e, "enricher", `enrichers[${i}]`)
  })
  settings.processors.forEach((p, i) => {
    if (isPluginProcessor(p)) request(p, "processor", `processors[${i}]`)
  })
  return out
}

/**
 * Finds and checks every plugin the settings name, before anything is opened: every refusal
 * is reported at once.
 */
const resolvePlugins = (
  settings: ResolvedSettings
): Effect.Effect<ReadonlyMap<object, plugins.Resolved>, ConfigError> => {
  const requests = pluginRequests(settings)
  if (requests.length === 0) return Effect.succeed(new Map())
  return plugins
    .resolveAll(
      requests.map((r) => r.request),
      settings.plugins,
      { sink: sinkNames, enricher: [], processor: [], formatter: formatNames }
    )
    .pipe(Effect.map((resolved) => new Map(requests.map((r, i) => [r.entry, resolved[i]!]))))
}

const unresolved = (at: string) =>
  Effect.fail(new ConfigError({ issues: [{ path: at, message: "plugin entry was not resolved" }] }))

const acquireSink = (
  setting: ValidSinkSetting,
  at: string,
  settings: ResolvedSettings,
  diagnostics: Diagnostics,
  formatterFor: FormatterFor,
  resolved: ReadonlyMap<object, plugins.Resolved>,
  host: plugins.Host,
  alerts: Array<alertSink.OpenedAlertSink>,
  retention: RetentionReports
): Effect.Effect<Sink, SinkError | ConfigError, Scope.Scope> => {
  const format = (o: ValidSinkOptions, stream?: NodeJS.WriteStream) =>
    formatterFor(
      o.format ?? (stream === undefined ? settings.format : settings.terminalFormat),
      o.layout ?? settings.layout,
      stream,
      o
    )
  if (setting === "stdout") return Effect.succeed(fileSinks.stdout({ format: format({}, process.stdout) }))
  if (setting === "stderr") return Effect.succeed(fileSinks.stderr({ format: format({}, process.stderr) }))
  if (setting === "null") return Effect.succeed(sinks.discard)
  // an Effect entry (Plugin.open, FileSink, your own...) learns which logger opens it and
  // where it is; its construction is bounded as a plugin's start is, so that one that never
  // completes fails the logger's construction, naming the entry, instead of hanging it
  if (Effect.isEffect(setting)) {
    const timeoutMs = settings.plugins?.timeoutMs ?? plugins.defaultTimeoutMs
    return Effect.provideService(setting, plugins.PluginHost, { ...host, at }).pipe(
      // disconnected: a construction that cannot be interrupted still lets the timeout answer
      Effect.disconnect,
      Effect.timeoutFail({
        duration: timeoutMs,
        onTimeout: () =>
          new SinkError({
            sink: at,
            reason: `the sink's construction (an Effect) did not complete within ${timeoutMs} ms (plugins.timeoutMs)`
          })
      })
    )
  }
  if (!isSettingObject(setting)) return Effect.succeed(setting as Sink)
  if (!isBuiltIn(setting)) {
    const r = resolved.get(setting)
    if (r === undefined) return unresolved(at)
    // a plugin's own lowest level applies when the entry sets none
    const minLevel = r.plugin.kind === "sink" ? r.plugin.minLevel : undefined
    const selection =
      setting.level === undefined && minLevel !== undefined ? { ...setting, level: minLevel } : setting
    return plugins.openSink(r.plugin, r.config, host).pipe(Effect.map((s) => selected(s, selection)))
  }
  switch (setting.type) {
    case "stdout":
      return Effect.succeed(selected(fileSinks.stdout({ format: format(setting, process.stdout) }), setting))
    case "stderr":
      return Effect.succeed(selected(fileSinks.stderr({ format: format(setting, process.stderr) }), setting))
    case "null":
      return Effect.succeed(sinks.discard)
    case "file": {
      const file = {
        path: setting.path,
        maxBytes: setting.maxBytes,
        maxFiles: setting.maxFiles,
        maxTotalBytes: setting.maxTotalBytes,
        maxAge: setting.maxAge,
        interval: setting.interval,
        compress: setting.compress,
        mode: setting.mode
      }
      return fileSinks
        .file(
          {
            ...file,
            format: format(setting),
            onDelete: retention.forSink(fileSinks.fileSinkName(file.path))
          },
          (e) => diagnostics.report(`sink file:${file.path}`, "background rotation work failed", e)
        )
        .pipe(Effect.map((s) => selected(s, setting)))
    }
    case "route":
      return Effect.forEach(setting.routes, (r, j) =>
        Effect.forEach(r.sinks, (s, k) =>
          acquireSink(
            s,
            `${at}.routes[${j}].sinks[${k}]`,
            settings,
            diagnostics,
            formatterFor,
            resolved,
            host,
            alerts,
            retention
          )
        ).pipe(
          Effect.map((opened) =>
            r.minLevel !== undefined
              ? { levels: "*" as const, sinks: opened.map((s) => sinks.withMinLevel(s, r.minLevel as never)) }
              : { levels: r.levels ?? "*", sinks: opened }
          )
        )
      ).pipe(Effect.map(sinks.route))
    case "alert":
      // the notify sinks open first, in the same scope; the pipeline is given to the alert
      // sink once it exists (see fromResolved)
      return Effect.forEach(setting.notify, (s, k) =>
        acquireSink(
          s,
          `${at}.notify[${k}]`,
          settings,
          diagnostics,
          formatterFor,
          resolved,
          host,
          alerts,
          retention
        )
      ).pipe(
        Effect.flatMap((notify) =>
          alertSink.make({ rules: setting.rules, checkInterval: setting.checkInterval }, notify)
        ),
        Effect.map((opened) => {
          alerts.push(opened)
          return opened.sink
        })
      )
  }
}

/** The custom enrichers in order, plugin ones started in the current scope. */
const acquireEnrichers = (
  settings: ResolvedSettings,
  resolved: ReadonlyMap<object, plugins.Resolved>,
  host: plugins.Host
): Effect.Effect<ReadonlyArray<NamedEnricher>, ConfigError, Scope.Scope> =>
  Effect.forEach(settings.enrichers, (e, i) => {
    if (!("type" in e)) return Effect.succeed(e)
    const r = resolved.get(e as ValidPluginEnricher)
    return r === undefined ? unresolved(`enrichers[${i}]`) : plugins.openEnricher(r.plugin, r.config, host)
  })

/** The processors in settings order, plugin ones started in the current scope. */
const acquireProcessors = (
  settings: ResolvedSettings,
  resolved: ReadonlyMap<object, plugins.Resolved>,
  host: plugins.Host
): Effect.Effect<ReadonlyArray<PublicProcessor>, ConfigError, Scope.Scope> =>
  Effect.forEach(settings.processors, (p, i) => {
    if (!isPluginProcessor(p)) return Effect.succeed(p)
    const r = resolved.get(p)
    return r === undefined
      ? unresolved(`processors[${i}]`)
      : plugins.openProcessor(r.plugin, r.config, host, { order: p.order, onError: p.onError })
  })

/**
 * Opens every formatter plugin the formats of the settings name, in the current scope. Entries
 * of the same type and config share one formatter, so the sinks using it share its rendering.
 */
const acquireFormatters = (
  resolved: ReadonlyMap<object, plugins.Resolved>,
  host: plugins.Host,
  fallback: FormatterImpl
): Effect.Effect<ReadonlyMap<object, FormatterImpl>, ConfigError, Scope.Scope> =>
  Effect.gen(function* () {
    const byEntry = new Map<object, FormatterImpl>()
    const shared = new Map<string, FormatterImpl>()
    for (const [entry, r] of resolved) {
      if (r.plugin.kind !== "formatter") continue
      const key = sameConfigKey((entry as ValidPluginFormat).type, r.config)
      let f = key === undefined ? undefined : shared.get(key)
      if (f === undefined) {
        f = yield* plugins.openFormatter(r.plugin, r.config, host, fallback)
        if (key !== undefined) shared.set(key, f)
      }
      byEntry.set(entry, f)
    }
    return byEntry
  })

/** A key equal for two entries of one type with equal configs; undefined when the config has no JSON text. */
const sameConfigKey = (type: string, config: unknown): string | undefined => {
  try {
    return `${type}\u0000${JSON.stringify(config)}`
  } catch {
    return undefined
  }
}

/**
 * The processor stage in run order: the built-ins (minimisation first, so that nothing
 * holds or compares fields it leaves out; dedupe next, as it counts repeats exactly, then
 * sampling, throttling, fingers-crossed and the size guard), then the user's by `order`.
 */
const processorsOf = (
  settings: ResolvedSettings,
  limits: JsonLimits,
  redact: CompiledRedaction | undefined,
  added: ReadonlyArray<PublicProcessor>,
  diagnostics: Diagnostics
): ReadonlyArray<StageProcessor> => {
  const list: Array<StageProcessor> = []
  if (settings.minimise !== undefined)
    list.push(
      makeMinimise(settings.minimise, (message, extra) =>
        diagnostics.report("minimise", message, undefined, extra)
      )
    )
  if (settings.dedupe !== undefined) list.push(makeDedupe(settings.dedupe))
  if (settings.sampling !== undefined) list.push(makeSampler(settings.sampling))
  if (settings.throttle !== undefined) list.push(makeThrottle(settings.throttle))
  if (settings.fingersCrossed !== undefined) list.push(makeFingersCrossed(settings.fingersCrossed))
  if (settings.maxEventBytes !== undefined)
    list.push(
      makeSizeGuard({
        maxBytes: settings.maxEventBytes,
        mode: settings.oversize ?? "truncate",
        limits,
        redact
      })
    )
  for (const p of added) list.push(fromPublic(p))
  // stable: the built-ins keep their order, the user's run by theirs (ties: settings first, in
  // their order, then layers by name)
  return list.sort((a, b) => a.order - b.order)
}

/** What a logger gets beyond its settings: extension layers' sinks, enrichers and processors. */
export interface Additions {
  readonly sinks?: ReadonlyArray<Sink> | undefined
  readonly enrichers?: ReadonlyArray<NamedEnricher> | undefined
  readonly callSite?: ReadonlyArray<CallSiteEnricher> | undefined
  readonly processors?: ReadonlyArray<PublicProcessor> | undefined
}

/**
 * The built-in enrichment: static fields once, plus the runtime snapshot when enabled (its
 * sampler runs on an unref'd timer, stopped with the scope). Returns the provider of the
 * current Bindings, rebuilt only when a new runtime sample arrives.
 */
const enrichmentOf = (
  settings: ResolvedSettings,
  diagnostics: Diagnostics
): Effect.Effect<(() => Bindings | undefined) | undefined, never, Scope.Scope> =>
  Effect.gen(function* () {
    const enrich = settings.enrich
    if (enrich === undefined) return undefined
    const base = staticFields(
      {
        hostname: enrich.hostname ?? false,
        pid: enrich.pid ?? false,
        service: enrich.service,
        env: enrich.env,
        version: enrich.version,
        kubernetes: enrich.kubernetes ?? false
      },
      // the downward-API variables; FAPILOG_* values already came through the ConfigProvider
      Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FAPILOG_")))
    )
    const fixed = Object.keys(base).length > 0 ? Bindings.extend(undefined, base) : undefined
    if (enrich.runtime === undefined || enrich.runtime === false)
      return fixed === undefined ? undefined : () => fixed
    const intervalMs = enrich.runtime === true ? 10_000 : enrich.runtime.intervalMs
    const sampler = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const s = new RuntimeSampler({
          intervalMs,
          onError: (e) => diagnostics.report("enricher runtime", "sample failed", e)
        })
        s.start()
        return s
      }),
      (s) => Effect.sync(() => s.stop())
    )
    let lastSample: unknown
    let current = fixed
    return () => {
      const sample = sampler.current()
      if (sample !== lastSample) {
        lastSample = sample
        current = sample === undefined ? fixed : Bindings.extend(fixed, sample)
      }
      return current
    }
  })

/**
 * Opens every sink in the current scope, then builds the pipeline in the same scope, so that
 * closing it drains first and releases the sinks after.
 */
const fromResolved = (
  settings: ResolvedSettings,
  resolved: ReadonlyMap<object, plugins.Resolved>,
  additions: Additions
): Effect.Effect<pipeline.Pipeline, SinkError | ConfigError, Scope.Scope> =>
  Effect.gen(function* () {
    const diagnostics = new Diagnostics(settings.name)
    // under a compliance profile, diagnostics are protected from the start: until the pii
    // processors are started, their texts are withheld
    let scanners: ReadonlyArray<PublicProcessor> | undefined
    const redact = compile(settings.redact)
    const profiles = settings.compliance ?? []
    if (profiles.length > 0)
      diagnostics.protect = protectedDiagnostics({
        needsScan: profiles.some((p) => complianceProfiles[p].pii !== undefined),
        scanners: () => scanners,
        redact: () => redact
      })
    const limits = settings.limits === undefined ? defaultLimits : { ...defaultLimits, ...settings.limits }
    if (settings.sinks.length === 0 && (additions.sinks ?? []).length === 0)
      return yield* Effect.fail(
        new ConfigError({
          issues: [
            {
              path: "sinks",
              message:
                'is empty and no sink was provided as a layer: events would go nowhere (use ["null"] to discard them)'
            }
          ]
        })
      )
    // Finalizers run last first: this one runs after every sink and plugin has closed, so a
    // deletion made while a sink finishes its work is reported to diagnostics, not held back.
    const retention = new RetentionReports(diagnostics)
    yield* Effect.addFinalizer(() => Effect.sync(() => retention.end()))
    const host = hostOf(settings, diagnostics, retention)
    // a formatter plugin whose start fails stands in as JSON lines, with the logger's limits
    const formatters = yield* acquireFormatters(
      resolved,
      host,
      limits === defaultLimits ? json : makeJson(limits)
    )
    const formatterFor = formatterCache(limits, formatters)
    const alerts: Array<alertSink.OpenedAlertSink> = []
    const opened = yield* Effect.forEach(settings.sinks, (s, i) =>
      acquireSink(s, `sinks[${i}]`, settings, diagnostics, formatterFor, resolved, host, alerts, retention)
    )
    const enrichers = yield* acquireEnrichers(settings, resolved, host)
    const processors = yield* acquireProcessors(settings, resolved, host)
    scanners = processors.filter((p) => p.name === "pii")
    const enrichment = yield* enrichmentOf(settings, diagnostics)
    const made = yield* pipeline.make({
      name: settings.name,
      level: settings.level,
      categoryLevels: settings.categoryLevels,
      capacity: settings.capacity,
      overflow: settings.overflow,
      logCrashes: settings.logCrashes,
      metrics: settings.metrics,
      fallback: settings.fallback === "stderr" ? fileSinks.stderr() : undefined,
      retry: settings.retry,
      circuitBreaker: settings.circuitBreaker,
      protectedLevel: settings.protectedLevel,
      shutdownTimeout: settings.shutdownTimeoutMs,
      sinks: [...opened, ...(additions.sinks ?? [])],
      diagnostics,
      redact,
      enrichment,
      enrichers: [...enrichers, ...(additions.enrichers ?? [])],
      callSiteEnrichers: [
        ...(settings.mixin === undefined ? [] : [{ name: "mixin", enrich: settings.mixin }]),
        ...(additions.callSite ?? [])
      ],
      processors: processorsOf(
        settings,
        limits,
        redact,
        [...processors, ...(additions.processors ?? [])],
        diagnostics
      ),
      limits,
      capture: settings.capture,
      serializers: makeSerializers(settings.serializers, (key, e) =>
        diagnostics.report(`serializer ${key}`, "threw at the call", e)
      ),
      retention: () => retention.stats()
    })
    retention.attach((record) => made.announce(record))
    for (const a of alerts)
      a.attach({
        announce: (record) => made.announce(record),
        sinks: () => made.health().sinks
      })
    return made
  })

export const build = (
  input: unknown,
  provider?: ConfigProvider.ConfigProvider,
  additions: Additions = {}
): Effect.Effect<
  { readonly pipeline: pipeline.Pipeline; readonly settings: ResolvedSettings },
  ConfigError | SinkError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const collected = yield* collect(input, provider)
    const settings = collected.settings
    // one pass: the plugins that the valid entries name are looked for even when other settings
    // are wrong, and every problem goes in one ConfigError; but with a plugins setting that
    // could not be read (its allow and deny lists), no package is looked for or loaded
    const found = collected.failed.has("plugins")
      ? Either.right(new Map<object, plugins.Resolved>())
      : yield* Effect.either(resolvePlugins(settings))
    const issues = [...collected.issues, ...(Either.isLeft(found) ? found.left.issues : [])]
    if (issues.length > 0 || Either.isLeft(found)) return yield* Effect.fail(new ConfigError({ issues }))
    // every plugin was found and checked before any sink opens
    const p = yield* fromResolved(settings, found.right, additions)
    return { pipeline: p, settings }
  })

/** What {@link check} found: the resolved settings (a best effort when there are issues) and every issue. */
export interface Checked {
  readonly settings: ResolvedSettings
  readonly issues: ReadonlyArray<ConfigIssue>
}

/**
 * The checks of {@link build} without opening anything: every source resolved and every plugin
 * the settings name found and its config decoded, every problem collected.
 */
export const check = (input: unknown, provider?: ConfigProvider.ConfigProvider): Effect.Effect<Checked> =>
  Effect.gen(function* () {
    const collected = yield* collect(input, provider)
    const found = collected.failed.has("plugins")
      ? Either.right(new Map<object, plugins.Resolved>())
      : yield* Effect.either(resolvePlugins(collected.settings))
    return {
      settings: collected.settings,
      issues: [...collected.issues, ...(Either.isLeft(found) ? found.left.issues : [])]
    }
  })
