/**
 * `Http.middleware` on servers built with `HttpApiBuilder`, with `Http.layerHttpApi`: the
 * failures an `HttpApi` answers itself (typed errors with their declared status, decode
 * errors) get the same error line as an `HttpRouter` handler failing the same way, and
 * defects, unmatched routes and successes keep the lines they had.
 */
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiError,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpClient,
  HttpClientRequest,
  HttpRouter,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { CapturedLogs, Fapilog, FapilogTest, type LogEvent } from "fapilog"
import * as Http from "fapilog/http"

class UserNotFound extends Schema.TaggedError<UserNotFound>()(
  "UserNotFound",
  { id: Schema.Number },
  HttpApiSchema.annotations({ status: 404 })
) {}

class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()(
  "StoreUnavailable",
  { store: Schema.String, cause: Schema.Defect },
  HttpApiSchema.annotations({ status: 503 })
) {}

/** A security-style middleware that lets nobody in. */
class Guard extends HttpApiMiddleware.Tag<Guard>()("Guard", { failure: HttpApiError.Unauthorized }) {}

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
const UserPath = Schema.Struct({ id: Schema.NumberFromString })
const NewUser = Schema.Struct({ name: Schema.String })

const Api = HttpApi.make("shop").add(
  HttpApiGroup.make("users")
    .add(
      HttpApiEndpoint.get("user", "/users/:id")
        .setPath(UserPath)
        .addSuccess(User)
        .addError(UserNotFound)
        .addError(StoreUnavailable)
    )
    .add(HttpApiEndpoint.post("create", "/users").setPayload(NewUser).addSuccess(User))
    .add(HttpApiEndpoint.get("crash", "/crash"))
    .add(HttpApiEndpoint.get("undeclared", "/undeclared"))
    .add(HttpApiEndpoint.get("admin", "/admin").middleware(Guard))
)

/** The logic both servers share: user 1 exists, user 2 is in a store that is down. */
const findUser = (id: number): Effect.Effect<typeof User.Type, UserNotFound | StoreUnavailable> =>
  id === 1
    ? Effect.as(Fapilog.info("user read"), { id, name: "ann" })
    : id === 2
      ? Effect.fail(new StoreUnavailable({ store: "eu-1", cause: new Error("connection refused") }))
      : Effect.fail(new UserNotFound({ id }))

const UsersLive = HttpApiBuilder.group(Api, "users", (handlers) =>
  handlers
    .handle("user", ({ path }) => findUser(path.id))
    .handle("create", ({ payload }) => Effect.succeed({ id: 3, name: payload.name }))
    .handle("crash", () => Effect.die(new Error("bug")))
    // an error the API does not declare (only a type escape gets one there): it cannot answer it
    .handle("undeclared", () => Effect.fail(new Error("database down")) as Effect.Effect<never>)
    .handle("admin", () => Effect.void)
)

const GuardLive = Layer.succeed(Guard, Effect.fail(new HttpApiError.Unauthorized()))

const ApiLive = HttpApiBuilder.api(Api).pipe(Layer.provide(UsersLive), Layer.provide(GuardLive))

/** The same endpoints as plain `HttpRouter` handlers, failing the same way. */
const routerApp = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/users/:id",
    Effect.flatMap(HttpRouter.schemaPathParams(UserPath), ({ id }) =>
      Effect.flatMap(findUser(id), HttpServerResponse.json)
    )
  ),
  HttpRouter.post(
    "/users",
    Effect.flatMap(HttpServerRequest.schemaBodyJson(NewUser), ({ name }) =>
      HttpServerResponse.json({ id: 3, name })
    )
  ),
  HttpRouter.get("/crash", Effect.die(new Error("bug"))),
  HttpRouter.get("/undeclared", Effect.fail(new Error("database down")))
)

const apiServer = (options?: Http.Options) =>
  HttpApiBuilder.serve(Http.middleware(options)).pipe(
    Layer.provide(Http.layerHttpApi),
    Layer.provide(ApiLive),
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(FapilogTest)
  )

const routerServer = HttpServer.serve(routerApp, Http.middleware()).pipe(
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provideMerge(FapilogTest)
)

const call = (request: HttpClientRequest.HttpClientRequest, id: string) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    Effect.map(
      client.execute(request.pipe(HttpClientRequest.setHeader("x-request-id", id))),
      (response) => response.status
    )
  )

interface Outcome {
  /** The status each request got, by its id. */
  readonly statuses: Readonly<Record<string, number>>
  readonly events: ReadonlyArray<LogEvent.LogEvent>
}

/** Sends each request (with its id) to a fresh server, and returns what came back and what was logged. */
const serveAndSend = (
  server: Layer.Layer<CapturedLogs | HttpClient.HttpClient, unknown>,
  requests: ReadonlyArray<readonly [string, HttpClientRequest.HttpClientRequest]>
): Effect.Effect<Outcome, unknown> =>
  Effect.gen(function* () {
    const statuses: Record<string, number> = {}
    for (const [id, request] of requests) statuses[id] = yield* call(request, id)
    const events = yield* Effect.flatMap(CapturedLogs, (logs) => logs.events)
    return { statuses, events }
  }).pipe(Effect.provide(server), Effect.scoped)

const linesOf = (outcome: Outcome, id: string) => outcome.events.filter((e) => e.correlationId === id)
const http = (e: LogEvent.LogEvent | undefined) => (e?.fields as Record<string, unknown> | undefined)?.http

/** An error as the line has it, without stacks (they name the code that made the error). */
const withoutStacks = (info: LogEvent.ErrorInfo | undefined): unknown =>
  info === undefined
    ? undefined
    : {
        ...info,
        stack: undefined,
        ...(info.cause === undefined ? {} : { cause: withoutStacks(info.cause) })
      }

/**
 * The request's lines must be exactly an error line and then the access line, both with
 * the request's id, at the levels and status expected; returns the error line.
 */
const errorLineOf = (outcome: Outcome, id: string, method: string, path: string, status: number) => {
  const lines = linesOf(outcome, id)
  assert.deepStrictEqual(
    lines.map((e) => [e.message, e.level]),
    [
      ["request failed", "error"],
      ["request completed", status >= 500 ? "error" : "warn"]
    ],
    `lines of ${id}`
  )
  assert.strictEqual(outcome.statuses[id], status, `status of ${id}`)
  assert.deepStrictEqual(http(lines[0]), { method, path, status })
  assert.strictEqual((http(lines[1]) as Record<string, unknown>).status, status)
  return lines[0] as LogEvent.LogEvent
}

const requests = [
  ["typed-4xx", HttpClientRequest.get("/users/7")],
  ["typed-5xx", HttpClientRequest.get("/users/2")],
  ["bad-payload", HttpClientRequest.post("/users").pipe(HttpClientRequest.bodyUnsafeJson({ name: 5 }))],
  ["bad-path", HttpClientRequest.get("/users/abc")],
  ["defect", HttpClientRequest.get("/crash")],
  ["undeclared", HttpClientRequest.get("/undeclared")],
  ["ok", HttpClientRequest.get("/users/1")],
  ["no-route", HttpClientRequest.get("/nowhere")]
] as const

describe("Http.middleware with HttpApi (Http.layerHttpApi)", () => {
  it.live("each failure gets one error line with its cause, as an HttpRouter handler's does", () =>
    Effect.gen(function* () {
      const api = yield* serveAndSend(apiServer(), requests)
      const router = yield* serveAndSend(routerServer, requests)

      // a typed error answered with its declared 4xx status: the error, its fields, the request's id
      const notFound = errorLineOf(api, "typed-4xx", "GET", "/users/7", 404)
      assert.strictEqual(notFound.error?.type, "UserNotFound")
      assert.deepStrictEqual(notFound.error?.details, { id: 7 })
      // an HttpRouter handler failing with it answers 500 (the router knows no status for it)
      const routerNotFound = errorLineOf(router, "typed-4xx", "GET", "/users/7", 500)
      assert.deepStrictEqual(withoutStacks(notFound.error), withoutStacks(routerNotFound.error))

      // a typed error with a 5xx status, carrying the error it was caused by
      const unavailable = errorLineOf(api, "typed-5xx", "GET", "/users/2", 503)
      assert.strictEqual(unavailable.error?.type, "StoreUnavailable")
      assert.strictEqual(unavailable.error?.details?.store, "eu-1")
      assert.deepStrictEqual(
        { type: unavailable.error?.cause?.type, message: unavailable.error?.cause?.message },
        { type: "Error", message: "connection refused" }
      )
      const routerUnavailable = errorLineOf(router, "typed-5xx", "GET", "/users/2", 500)
      assert.deepStrictEqual(withoutStacks(unavailable.error), withoutStacks(routerUnavailable.error))

      // decode errors: HttpApi's HttpApiDecodeError says what the router's ParseError says
      const badPayload = errorLineOf(api, "bad-payload", "POST", "/users", 400)
      const routerBadPayload = errorLineOf(router, "bad-payload", "POST", "/users", 400)
      assert.strictEqual(badPayload.error?.type, "HttpApiDecodeError")
      assert.strictEqual(routerBadPayload.error?.type, "ParseError")
      assert.include(badPayload.error?.message, "Expected string, actual 5")
      assert.strictEqual(badPayload.error?.message, routerBadPayload.error?.message)
      assert.deepStrictEqual(badPayload.error?.details?.issues, [
        { _tag: "Type", path: ["name"], message: "Expected string, actual 5" }
      ])

      const badPath = errorLineOf(api, "bad-path", "GET", "/users/abc", 400)
      const routerBadPath = errorLineOf(router, "bad-path", "GET", "/users/abc", 400)
      assert.strictEqual(badPath.error?.type, "HttpApiDecodeError")
      assert.include(badPath.error?.message, 'Unable to decode "abc" into a number')
      assert.strictEqual(badPath.error?.message, routerBadPath.error?.message)

      // a defect is not answered by the API: it reaches the middleware as a failure, as before
      const defect = errorLineOf(api, "defect", "GET", "/crash", 500)
      const routerDefect = errorLineOf(router, "defect", "GET", "/crash", 500)
      assert.deepStrictEqual(withoutStacks(defect.error), { type: "Error", message: "bug", stack: undefined })
      assert.deepStrictEqual(withoutStacks(defect.error), withoutStacks(routerDefect.error))
      // so is a failure it does not declare
      const undeclared = errorLineOf(api, "undeclared", "GET", "/undeclared", 500)
      const routerUndeclared = errorLineOf(router, "undeclared", "GET", "/undeclared", 500)
      assert.strictEqual(undeclared.error?.message, "database down")
      assert.deepStrictEqual(withoutStacks(undeclared.error), withoutStacks(routerUndeclared.error))

      // a success and an unmatched route: no error line on either server
      for (const outcome of [api, router]) {
        assert.deepStrictEqual(
          linesOf(outcome, "ok").map((e) => [e.message, e.level]),
          [
            ["user read", "info"],
            ["request completed", "info"]
          ]
        )
        assert.deepStrictEqual(
          linesOf(outcome, "no-route").map((e) => [
            e.message,
            e.level,
            (http(e) as { status: number }).status
          ]),
          [["request completed", "warn", 404]]
        )
      }
      assert.strictEqual(api.events.length, router.events.length)
    })
  )

  it.live("logErrors: false leaves only the access lines", () =>
    Effect.gen(function* () {
      const { events } = yield* serveAndSend(apiServer({ logErrors: false }), requests)
      assert.deepStrictEqual(
        events.filter((e) => e.message !== "user read").map((e) => [e.correlationId, e.level]),
        [
          ["typed-4xx", "warn"],
          ["typed-5xx", "error"],
          ["bad-payload", "warn"],
          ["bad-path", "warn"],
          ["defect", "error"],
          ["undeclared", "error"],
          ["ok", "info"],
          ["no-route", "warn"]
        ]
      )
    })
  )

  it.live("a failure of an HttpApiMiddleware (a 401 from a guard) gets the error line too", () =>
    Effect.gen(function* () {
      const outcome = yield* serveAndSend(apiServer(), [["guarded", HttpClientRequest.get("/admin")]])
      const line = errorLineOf(outcome, "guarded", "GET", "/admin", 401)
      assert.strictEqual(line.error?.type, "Unauthorized")
    })
  )

  it.scopedLive("works for a web handler built with HttpApiBuilder.toWebHandler", () =>
    Effect.gen(function* () {
      const runtime = yield* Effect.runtime<Fapilog.Fapilog | CapturedLogs>()
      const { dispose, handler } = HttpApiBuilder.toWebHandler(
        Layer.mergeAll(
          ApiLive,
          Http.layerHttpApi,
          HttpServer.layerContext,
          Layer.succeedContext(runtime.context)
        ),
        { middleware: Http.middleware() }
      )
      yield* Effect.addFinalizer(() => Effect.promise(dispose))
      const response = yield* Effect.promise(() =>
        handler(new Request("http://web/users/7", { headers: { "x-request-id": "web-1" } }))
      )
      assert.strictEqual(response.status, 404)
      assert.strictEqual(response.headers.get("x-request-id"), "web-1")
      yield* Fapilog.flush
      const lines = (yield* Effect.flatMap(CapturedLogs, (logs) => logs.events)).filter(
        (e) => e.correlationId === "web-1"
      )
      assert.deepStrictEqual(
        lines.map((e) => [e.message, e.level, e.error?.type]),
        [
          ["request failed", "error", "UserNotFound"],
          ["request completed", "warn", undefined]
        ]
      )
      assert.deepStrictEqual(http(lines[0]), { method: "GET", path: "/users/7", status: 404 })
    }).pipe(Effect.provide(FapilogTest))
  )
})
