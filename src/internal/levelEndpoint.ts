/**
 * The live log-level endpoint of `fapilog/http`, on both Effect lines: the token check, the
 * reply to GET, and a change audited before it is made. Each line's middleware gives it the
 * request's method, URL and body, and turns the answer into its own HTTP response.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Fapilog from "../Fapilog.js"
import {
  bearerOf,
  levelChangeReply,
  levelEndpointHelp,
  levelsReply,
  type refusalLimiter,
  requestedLevel,
  tokenMatches
} from "./http.js"

/** What the endpoint answers: a JSON body and its status. */
export interface LevelAnswer {
  readonly body: unknown
  readonly status: number
}

const answer = (body: unknown, status = 200): LevelAnswer => ({ body, status })

/** Answers one request to the endpoint whose token hashes to `digest`. */
export const answerLevelRequest = (
  digest: Buffer,
  request: {
    readonly method: string
    readonly url: string
    readonly authorization: string | ReadonlyArray<string> | undefined
    /** The body as text ("" when it cannot be read). */
    readonly text: Effect.Effect<string>
  },
  clientIp: string | undefined,
  refusal: ReturnType<typeof refusalLimiter>
): Effect.Effect<LevelAnswer> =>
  Effect.gen(function* () {
    const service = yield* Effect.serviceOption(Fapilog.Fapilog)
    if (Option.isNone(service)) return answer({ error: "no fapilog layer is running" }, 503)
    if (!tokenMatches(digest, bearerOf(request.authorization))) {
      const { log, suppressed } = refusal()
      if (log)
        yield* Fapilog.security("log level change refused", {
          http: { clientIp, reason: "bad or missing token" },
          ...(suppressed > 0 ? { suppressed } : {})
        })
      return answer({ error: "unauthorized" }, 401)
    }
    const state = yield* service.value.levels
    const { method, url } = request
    if (method === "GET" || method === "HEAD") return answer(levelsReply(state))
    if (method !== "POST" && method !== "PUT") return answer({ error: levelEndpointHelp }, 405)
    const q = url.indexOf("?")
    const change = requestedLevel(yield* request.text, q < 0 ? undefined : url.slice(q + 1))
    if (change === undefined) return answer({ error: levelEndpointHelp }, 400)
    const { reply, audit } = levelChangeReply(state, change)
    // written before the change, so that no new threshold can hide it
    yield* Fapilog.audit("log level changed", { ...audit, http: { clientIp } })
    yield* service.value.setLevel(change.level, change.category)
    return answer(reply)
  })
