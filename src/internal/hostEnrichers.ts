/**
 * The built-in enrichers that read the host and the process (hostname, pid, `FAPILOG_*` and
 * Kubernetes variables, the runtime sampler): Node only, so apart from enrichers.ts, which
 * the browser build shares.
 */
import * as os from "node:os"
import {
  type EventLoopUtilization,
  type IntervalHistogram,
  monitorEventLoopDelay,
  performance
} from "node:perf_hooks"

// ---------------------------------------------------------------------------------------
// Static fields: computed once when a logger is built, then shared by every event.
// ---------------------------------------------------------------------------------------

/** Names of the environment variables the Kubernetes downward API was told to fill. */
export interface KubernetesEnv {
  /** Default `POD_NAME`. */
  readonly podEnv?: string | undefined
  /** Default `POD_NAMESPACE`. */
  readonly namespaceEnv?: string | undefined
  /** Default `NODE_NAME`. */
  readonly nodeEnv?: string | undefined
}

export interface StaticFieldsOptions {
  /** Adds `hostname` (`os.hostname()`). */
  readonly hostname?: boolean | undefined
  /** Adds `pid` (`process.pid`). */
  readonly pid?: boolean | undefined
  /** Adds `service`; when absent, taken from `FAPILOG_SERVICE`. `""` means "no service key". */
  readonly service?: string | undefined
  /** Adds `env`; when absent, taken from `FAPILOG_ENV`. `""` means "no env key". */
  readonly env?: string | undefined
  /** Adds `version`; when absent, taken from `FAPILOG_VERSION`. `""` means "no version key". */
  readonly version?: string | undefined
  /** Adds `k8s: { pod, namespace, node }` from downward-API variables; `true` uses the default names. */
  readonly kubernetes?: boolean | KubernetesEnv | undefined
}

/** A variable that is set but empty carries no information, so it counts as absent. */
const envValue = (processEnv: NodeJS.ProcessEnv, name: string): string | undefined => {
  const v = processEnv[name]
  return v === undefined || v === "" ? undefined : v
}

/**
 * The explicit value wins, including `""`, which lets a caller switch a key off even when the
 * environment sets it; only a value that was not given falls back to the variable.
 */
const givenOrEnv = (
  given: string | undefined,
  processEnv: NodeJS.ProcessEnv,
  name: string
): string | undefined => {
  if (given !== undefined) return given === "" ? undefined : given
  return envValue(processEnv, name)
}

/**
 * `os.hostname()` can fail (the syscall errors in some sandboxes); a missing hostname must
 * not stop a logger from being built, so the key is simply left out.
 */
const hostnameOrUndefined = (): string | undefined => {
  try {
    const h = os.hostname()
    return h === "" ? undefined : h
  } catch {
    return undefined
  }
}

/**
 * The built-in fields that never change during the life of a process: identity of the host,
 * the process, the service and its Kubernetes pod. They are computed once, when the logger
 * is built, so an event pays nothing for them beyond writing a pre-serialized fragment.
 *
 * `service`, `env` and `version` fall back to `FAPILOG_SERVICE`, `FAPILOG_ENV` and
 * `FAPILOG_VERSION` so that a deployment can name the service without touching code; the
 * settings layer normally resolves those itself and passes explicit values, and the fallback
 * here serves direct callers. Kubernetes fields are read only from variables that are set
 * (the downward API must be configured in the pod spec) and `k8s` is left out when none is.
 * `POD_IP` is deliberately not read: an address is often classed as personal data, and pod,
 * namespace and node already say where a line came from.
 */
export const staticFields = (
  options: StaticFieldsOptions,
  processEnv: NodeJS.ProcessEnv = process.env
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (options.hostname === true) {
    const h = hostnameOrUndefined()
    if (h !== undefined) out.hostname = h
  }
  if (options.pid === true) out.pid = process.pid
  const service = givenOrEnv(options.service, processEnv, "FAPILOG_SERVICE")
  if (service !== undefined) out.service = service
  const env = givenOrEnv(options.env, processEnv, "FAPILOG_ENV")
  if (env !== undefined) out.env = env
  const version = givenOrEnv(options.version, processEnv, "FAPILOG_VERSION")
  if (version !== undefined) out.version = version
  const k8s = options.kubernetes
  if (k8s !== undefined && k8s !== false) {
    const names: KubernetesEnv = k8s === true ? {} : k8s
    const found: Record<string, string> = {}
    const pod = envValue(processEnv, names.podEnv ?? "POD_NAME")
    if (pod !== undefined) found.pod = pod
    const namespace = envValue(processEnv, names.namespaceEnv ?? "POD_NAMESPACE")
    if (namespace !== undefined) found.namespace = namespace
    const node = envValue(processEnv, names.nodeEnv ?? "NODE_NAME")
    if (node !== undefined) found.node = node
    if (pod !== undefined || namespace !== undefined || node !== undefined) out.k8s = found
  }
  return out
}

// ---------------------------------------------------------------------------------------
// Runtime snapshot: sampled on a timer, read by events.
// ---------------------------------------------------------------------------------------

/** Used when the settings say `runtime: true`. */
export const RUNTIME_INTERVAL_DEFAULT_MS = 10_000
/** Below this the sampler would itself become a noticeable load; the settings layer should refuse less. */
export const RUNTIME_INTERVAL_MIN_MS = 100

/**
 * Resolution of the event-loop delay histogram. Node's recorder is a timer firing every
 * `resolution` ms and records the whole gap between firings, so each value includes the
 * resolution itself: it is subtracted before reporting.
 */
const DELAY_RESOLUTION_MS = 10

export interface RuntimeSamplerOptions {
  /** Time between samples, at least {@link RUNTIME_INTERVAL_MIN_MS}. */
  readonly intervalMs: number
  /** Told when a timed sample fails; the previous sample is kept. */
  readonly onError?: ((error: unknown) => void) | undefined
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** Histogram values are nanoseconds including the timer resolution; reported as delay in ms. */
const delayMs = (ns: number): number => round(Math.max(0, ns / 1e6 - DELAY_RESOLUTION_MS), 2)

/**
 * A process snapshot (memory, CPU, event-loop delay and utilization) taken every
 * `intervalMs`, never per event: reading memory usage costs microseconds and a histogram
 * percentile more, which a logging call must not pay. Events read the last sample with
 * {@link current}, which returns the same frozen object until the next sample, so callers
 * can cache anything derived from it (a serialized fragment) by identity.
 *
 * The timer is unref'd and the histogram is unref'd by Node: a running sampler never keeps
 * the process alive. CPU figures are percent of one core over the last interval, so they can
 * exceed 100 when worker threads or the libuv pool are busy.
 */
export class RuntimeSampler {
  private readonly intervalMs: number
  private readonly onError: ((error: unknown) => void) | undefined
  private readonly histogram: IntervalHistogram
  private timer: NodeJS.Timeout | undefined = undefined
  private sample: Readonly<Record<string, unknown>> | undefined = undefined
  private lastAt: number
  private lastCpu: NodeJS.CpuUsage
  private lastElu: EventLoopUtilization

  /**
   * @param now monotonic milliseconds; injectable so tests can pin the elapsed time.
   * @throws RangeError when `intervalMs` is not a finite number of at least
   * {@link RUNTIME_INTERVAL_MIN_MS}: the settings layer validates user input before this.
   */
  constructor(
    options: RuntimeSamplerOptions,
    private readonly now: () => number = () => performance.now()
  ) {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs < RUNTIME_INTERVAL_MIN_MS) {
      throw new RangeError(`runtime sampling interval must be at least ${RUNTIME_INTERVAL_MIN_MS} ms`)
    }
    this.intervalMs = options.intervalMs
    this.onError = options.onError
    this.histogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS })
    this.lastAt = this.now()
    this.lastCpu = process.cpuUsage()
    this.lastElu = performance.eventLoopUtilization()
  }

  /** Starts sampling; a second call while running does nothing. */
  start(): void {
    if (this.timer !== undefined) return
    this.histogram.reset()
    this.histogram.enable()
    this.baseline()
    this.timer = setInterval(() => this.tick(), this.intervalMs)
    this.timer.unref()
  }

  /**
   * Stops sampling and releases the histogram's timer. The last sample stays readable, so
   * events still draining at shutdown carry the snapshot they would have had.
   */
  stop(): void {
    if (this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
    this.histogram.disable()
  }

  /** The last sample, or undefined before the first interval has elapsed. */
  current(): Readonly<Record<string, unknown>> | undefined {
    return this.sample
  }

  /**
   * Takes a sample now, covering the time since the previous one (or since `start`), and
   * makes it the current one. `eventLoopDelayMs` is left out when the histogram recorded
   * nothing (the sampler was not started): a zero there would claim a healthy loop.
   */
  sampleNow(): Readonly<Record<string, unknown>> {
    const at = this.now()
    const cpu = process.cpuUsage()
    const elu = performance.eventLoopUtilization()
    const mem = process.memoryUsage()
    const elapsedMs = at - this.lastAt
    const percent = (micros: number): number => (elapsedMs > 0 ? round(micros / 10 / elapsedMs, 1) : 0)
    const runtime: Record<string, unknown> = {
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      externalBytes: mem.external,
      cpuUserPercent: percent(cpu.user - this.lastCpu.user),
      cpuSystemPercent: percent(cpu.system - this.lastCpu.system)
    }
    const h = this.histogram
    if (h.count > 0) {
      runtime.eventLoopDelayMs = Object.freeze({
        mean: delayMs(h.mean),
        p99: delayMs(h.percentile(99)),
        max: delayMs(h.max)
      })
    }
    runtime.eventLoopUtilization = round(performance.eventLoopUtilization(elu, this.lastElu).utilization, 3)
    this.lastAt = at
    this.lastCpu = cpu
    this.lastElu = elu
    h.reset()
    const sample = Object.freeze({ runtime: Object.freeze(runtime) })
    this.sample = sample
    return sample
  }

  private baseline(): void {
    this.lastAt = this.now()
    this.lastCpu = process.cpuUsage()
    this.lastElu = performance.eventLoopUtilization()
  }

  /** An exception escaping a timer callback would crash the process: report it instead. */
  private tick(): void {
    try {
      this.sampleNow()
    } catch (e) {
      try {
        this.onError?.(e)
      } catch {
        // the reporter failed too: keep the previous sample and carry on
      }
    }
  }
}
