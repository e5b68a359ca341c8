import * as os from "node:os"
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand
} from "@aws-sdk/client-cloudwatch-logs"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, type LogEvent, Network, type Plugin } from "fapilog"
import { decodingTransport } from "../../../shared/src/transportFailure.js"
import { type Config, LIMITS } from "./config.js"
import {
  type Call,
  decodeLogEvents,
  type LogEventsBody,
  LogEventsWriter,
  rejectedCount
} from "./logEvents.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  createMissing: true,
  maxEvents: LIMITS.maxEvents,
  // a request is split into calls of PutLogEvents' 1,048,576 bytes by the transport: larger
  // requests make calls as large as the service takes (the network sink's own split, by
  // halves, would make them half that)
  maxBytes: 4 * LIMITS.maxBatchBytes
})

/** The stream written when `logStream` is not set: the host's name. */
export const defaultStream = (): string =>
  os
    .hostname()
    .replace(/[:*\0-\x1f\x7f]/g, "_")
    .slice(0, 512) || "fapilog"

/**
 * Errors no retry fixes: a request CloudWatch Logs will never take (InvalidParameter,
 * Validation) or credentials it does not know or that may not write (UnrecognizedClient,
 * AccessDenied). Throttling, ServiceUnavailable, a missing group or stream (created, or
 * waited for), expired tokens, network errors and anything else are retried.
 */
const PERMANENT: ReadonlySet<string> = new Set([
  "InvalidParameterException",
  "ValidationException",
  "UnrecognizedClientException",
  "AccessDeniedException"
])

const nameOf = (e: unknown): string | undefined => {
  const name = (e as { name?: unknown } | null)?.name
  return typeof name === "string" ? name : undefined
}

export const isPermanent = (e: unknown): boolean => PERMANENT.has(nameOf(e) ?? "")

const describe = (e: unknown): string => {
  const name = nameOf(e)
  const message = e instanceof Error ? e.message : String(e)
  return name !== undefined && name !== "Error" && !message.startsWith(name) ? `${name}: ${message}` : message
}

/** Static credentials as the SDK takes them (no `sessionToken` key when there is none). */
const credentialsOf = (c: NonNullable<Config["credentials"]>) => ({
  accessKeyId: c.accessKeyId,
  secretAccessKey: c.secretAccessKey,
  ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken })
})

/** The sink's name in diagnostics: the region (or endpoint), group and stream. */
export const sinkName = (config: Config, stream: string): string =>
  `cloudwatch:${config.endpoint === undefined ? config.region : new URL(config.endpoint).origin}/${config.logGroup}/${stream}`

/**
 * Opens the CloudWatch Logs sink on the network foundation: an SDK client (its own retries
 * off: the network sink's retries, breaker and spool are the only ones) as the transport.
 */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const logGroupName = config.logGroup
    const logStreamName = config.logStream ?? defaultStream()
    const createMissing = config.createMissing ?? defaults.createMissing
    const client = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new CloudWatchLogsClient({
            region: config.region,
            maxAttempts: 1,
            ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
            ...(config.credentials === undefined ? {} : { credentials: credentialsOf(config.credentials) })
          })
      ),
      (client) => Effect.sync(() => client.destroy())
    )

    /** Creates the group and the stream; either may exist already (another process, a race). */
    const create = async (signal: AbortSignal) => {
      for (const command of [
        new CreateLogGroupCommand({ logGroupName }),
        new CreateLogStreamCommand({ logGroupName, logStreamName })
      ])
        try {
          await client.send(command as CreateLogGroupCommand, { abortSignal: signal })
        } catch (e) {
          if (nameOf(e) !== "ResourceAlreadyExistsException") throw e
        }
    }

    const writer = new LogEventsWriter(logGroupName, logStreamName)

    /**
     * One PutLogEvents call whose whole request JSON is `json`, written by `writer`: given to
     * the SDK as the request's body (its serializer is given no events to write), before the
     * content length and the signature are computed.
     */
    const putCommand = (json: Uint8Array) => {
      const command = new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: [] })
      command.middlewareStack.add(
        (next) => (args) => {
          const request = args.request as { body?: unknown }
          request.body = json
          return next(args)
        },
        { step: "build", priority: "high", name: "fapilogLogEventsBody" }
      )
      return command
    }

    const put = async (json: Uint8Array, signal: AbortSignal) => {
      try {
        return await client.send(putCommand(json), { abortSignal: signal })
      } catch (e) {
        if (!createMissing || nameOf(e) !== "ResourceNotFoundException") throw e
        await create(signal)
        return await client.send(putCommand(json), { abortSignal: signal })
      }
    }

    // the calls of a request already taken, so that its retry sends only the rest
    const progress = new WeakMap<Uint8Array, number>()
    // where the events of the bodies encoded in this run are, so that sending neither parses
    // them back nor writes them again
    const encoded = new WeakMap<Uint8Array, LogEventsBody>()

    /** The calls of a request body: usually the body itself as one call. */
    const callsFor = (body: Uint8Array): Array<Call> => {
      const known = encoded.get(body)
      if (known !== undefined) return writer.calls(known)
      // a body of another run (the spool's): its events are written again as this run writes them
      return writer.calls(writer.entries(decodeLogEvents(body)))
    }

    const send = async (body: Uint8Array, calls: ReadonlyArray<Call>, signal: AbortSignal) => {
      for (let i = progress.get(body) ?? 0; i < calls.length; i++) {
        const call = calls[i]!
        try {
          const answer = await put(call.json, signal)
          const rejected = rejectedCount(answer.rejectedLogEventsInfo, call.events)
          if (rejected > 0)
            context.report(
              `CloudWatch Logs refused ${rejected} of ${call.events} event(s) for their time ` +
                `(${JSON.stringify(answer.rejectedLogEventsInfo)}: older than 14 days or the group's retention, or more than 2 hours ahead)`
            )
        } catch (e) {
          // the same batch sent again (a retry after an answer that was lost): it is in
          if (nameOf(e) !== "DataAlreadyAcceptedException") throw e
        }
        progress.set(body, i + 1)
      }
    }

    const transport = decodingTransport({
      decode: callsFor,
      send: (calls, request, signal) => send(request.body, calls, signal),
      isPermanent,
      describe
    })
    const options = Network.optionsFromConfig(config)
    return yield* Network.make({
      ...options,
      batch: {
        ...options.batch,
        maxEvents: config.batch?.maxEvents ?? defaults.maxEvents,
        maxBytes: config.batch?.maxBytes ?? defaults.maxBytes
      },
      name: sinkName(config, logStreamName),
      transport,
      encode: (events: ReadonlyArray<LogEvent.LogEvent>) => {
        const written = writer.events(events)
        encoded.set(written.body, written)
        return { body: written.body, contentType: "application/json" }
      },
      report: context.report
    })
  })
