/**
 * A transport's failure as the network foundation takes it (`Network.TransportFailure`), for
 * the plugins whose transport is not HTTP: the plugin says which causes no retry fixes
 * (`Permanent`) and how a cause reads in diagnostics; anything else is `Retryable`.
 */
import * as Effect from "effect/Effect"
import type { Network } from "fapilog"

export const transportFailure =
  (isPermanent: (cause: unknown) => boolean, describe: (cause: unknown) => string) =>
  (cause: unknown): Network.TransportFailure =>
    isPermanent(cause)
      ? { _tag: "Permanent", detail: describe(cause), cause }
      : { _tag: "Retryable", detail: describe(cause), cause }

/**
 * The transport of a plugin that reads each request's body back before sending it: a body
 * `decode` cannot read (another sink's spool) is refused for good, as it always would be; then
 * `send` delivers what it read, its rejections classified by `isPermanent`.
 */
export const decodingTransport = <A>(options: {
  readonly decode: (body: Uint8Array) => A
  readonly send: (decoded: A, request: Network.Encoded, signal: AbortSignal) => Promise<void>
  readonly isPermanent: (cause: unknown) => boolean
  readonly describe: (cause: unknown) => string
}): Network.Transport => {
  const failure = transportFailure(options.isPermanent, options.describe)
  return {
    send: (request) =>
      Effect.try({
        try: () => options.decode(request.body),
        catch: (cause): Network.TransportFailure => ({
          _tag: "Permanent",
          detail: options.describe(cause),
          cause
        })
      }).pipe(
        Effect.flatMap((decoded) =>
          Effect.tryPromise({ try: (signal) => options.send(decoded, request, signal), catch: failure })
        )
      )
  }
}
