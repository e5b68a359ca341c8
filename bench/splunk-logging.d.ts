/** The part of `splunk-logging` (no type declarations of its own) the sink bench uses. */
declare module "splunk-logging" {
  export class Logger {
    constructor(config: {
      readonly token: string
      readonly url: string
      readonly maxBatchCount?: number
      readonly maxRetries?: number
    })
    send(context: { readonly message: unknown; readonly severity?: string }): void
    flush(callback?: (error: unknown) => void): void
    error: (error: unknown, context?: unknown) => void
  }
}
