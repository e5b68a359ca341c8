import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { SinkError } from "../Errors.js"
import type { Options } from "../Network.js"
import type { Sink } from "../Sink.js"
import type { Config } from "./networkConfig.js"

/** Decoded config fields to options; unset fields are left out so the defaults apply. */
export const optionsFromConfig = (config: Config): Partial<Options> => {
  const out: { -readonly [K in keyof Options]?: Options[K] } = {}
  if (config.headers !== undefined) out.headers = config.headers
  if (config.batch !== undefined) out.batch = config.batch
  if (config.retry !== undefined) out.retry = config.retry
  if (config.timeoutMs !== undefined) out.timeoutMs = config.timeoutMs
  if (config.capacity !== undefined) out.capacity = config.capacity
  if (config.drainTimeoutMs !== undefined) out.drainTimeoutMs = config.drainTimeoutMs
  if (config.circuitBreaker !== undefined) out.circuitBreaker = config.circuitBreaker
  if (config.spool !== undefined) out.spool = config.spool
  return out
}

// Interim: one POST per batch. Replaced by the queued sender in the next commit.
export const make = (options: Options): Effect.Effect<Sink, SinkError, Scope.Scope> =>
  Effect.succeed({
    name: options.name,
    write: (batch) =>
      Effect.tryPromise({
        try: async () => {
          const request = options.encode(batch.events)
          const res = await fetch(options.url, {
            method: "POST",
            body: request.body,
            headers: { ...options.headers, ...request.headers, "content-type": request.contentType },
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
          })
          await res.arrayBuffer()
          if (!res.ok) throw new Error(`HTTP ${res.status}`)
        },
        catch: (cause) => new SinkError({ sink: options.name, reason: "request failed", cause })
      })
  })
