/**
 * A transport's failure as the network foundation takes it (`Network.TransportFailure`), for
 * the plugins whose transport is not HTTP: the plugin says which causes no retry fixes
 * (`Permanent`) and how a cause reads in diagnostics; anything else is `Retryable`.
 */
import type { Network } from "fapilog"

export const transportFailure =
  (isPermanent: (cause: unknown) => boolean, describe: (cause: unknown) => string) =>
  (cause: unknown): Network.TransportFailure =>
    isPermanent(cause)
      ? { _tag: "Permanent", detail: describe(cause), cause }
      : { _tag: "Retryable", detail: describe(cause), cause }
