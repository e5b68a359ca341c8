/**
 * `Http.middleware` on a server built with Effect 4's `effect/http-api`, with
 * `Http.layerHttpApi`: the failures an `HttpApi` answers itself (typed errors with their
 * declared status, a failing `HttpApiMiddleware`) get the same error line as an `HttpRouter`
 * handler failing the same way; decode errors, defects, unmatched routes and successes keep
 * the lines they have. Both servers are Effect 4 routers served as web handlers
 * (`HttpRouter.toWebHandler`: a real `Request` in, a real `Response` out).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiError,
  HttpApiGroup,
  HttpApiMiddleware
} from "effect/http-api"
import { Fapilog, Http, Sink } from "../../src/effect4/index.js"
import type { ErrorInfo, LogEvent } from "../../src/LogEvent.js"

class UserNotFound extends Schema.TaggedError<UserNotFound>()(
  "UserNotFound",
  { id: Schema.Number },
  { httpApiStatus: 404 }
) {}

class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()(
  "StoreUnavailable",
  { store: Schema.String, cause: Schema.Defect() },
  { httpApiStatus: 503 }
) {}

/** A middleware that lets nobody in. */
class Guard extends HttpApiMiddleware.Service<Guard>()("Guard", { error: HttpApiError.Unauthorized }) {}

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })

const Api = HttpApi.make("shop").add(
  HttpApiGroup.make("users").add(
    HttpApiEndpoint.get("user", "/users/:id", {
      params: { id: Schema.FiniteFromString },
      success: User,
      error: [UserNotFound, StoreUnavailable]
    }),
    HttpApiEndpoint.post("create", "/users", {
      payload: Schema.Struct({ name: Schema.String }),
      success: User
    }),
    HttpApiEndpoint.get("crash", "/crash"),
    HttpApiEndpoint.get("undeclared", "/undeclared"),
    HttpApiEndpoint.get("admin", "/admin").middleware(Guard)
  )
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
    .handle("user", ({ params }) => findUser(params.id))
    .handle("create", ({ payload }) => Effect.succeed({ id: 3, name: payload.name }))
    .handle("crash", () => Effect.die(new Error("bug")))
    // an error the API does not declare (only a type escape gets one there): it cannot answer it
    .handle("undeclared", () => Effect.fail(new Error("database down")) as Effect.Effect<never>)
    .handle("admin", () => Effect.void)
)

const GuardLive = Layer.succeed(Guard)(() => Effect.fail(new HttpApiError.Unauthorized()))

const ApiRoutes = HttpApiBuilder.layer(Api).pipe(
  Layer.provide(UsersLive),
  Layer.provide(GuardLive),
  Layer.provide(HttpServer.layerServices)
)

/** The typed failures as plain `HttpRouter` handlers, failing the same way. */
const RouterRoutes = Layer.mergeAll(
  HttpRouter.add("GET", "/users/:id", (request) =>
    Effect.flatMap(findUser(Number(request.url.split("/")[2])), (user) => HttpServerResponse.json(user))
  ),
  HttpRouter.add("GET", "/crash", Effect.die(new Error("bug"))),
  HttpRouter.add("GET", "/undeclared", Effect.fail(new Error("database down")))
)

interface Outcome {
  /** The status each request got, by its id. */
  readonly statuses: Readonly<Record<string, number>>
  readonly events: ReadonlyArray<LogEvent>
}

/** Where `Http.layerHttpApi` goes: to the routes, to the whole server (whose boundary reports failures too), nowhere. */
type Placement = "routes" | "server" | "none"

/** Sends each request (with its id) to a fresh web handler of `routes`, and returns what came back and what was logged. */
const serveAndSend = (
  routes: Layer.Layer<never, never, HttpRouter.HttpRouter | HttpRouter.Request<"Error", unknown>>,
  requests: ReadonlyArray<readonly [string, string, RequestInit?]>,
  options?: Http.Options,
  placement: Placement = "routes"
): Effect.Effect<Outcome> =>
  Effect.promise(async () => {
    const memory = Sink.memory()
    const app =
      placement === "routes"
        ? Layer.provide(routes, Http.layerHttpApi)
        : placement === "server"
          ? Layer.provideMerge(routes, Http.layerHttpApi)
          : routes
    const { handler, dispose } = HttpRouter.toWebHandler(
      app.pipe(Layer.provideMerge(Fapilog.layer({ sinks: [memory], level: "debug" }))),
      { middleware: Http.middleware(options), disableLogger: true }
    )
    const statuses: Record<string, number> = {}
    for (const [id, path, init] of requests) {
      const headers = { "x-request-id": id, ...(init?.headers as Record<string, string> | undefined) }
      statuses[id] = (await handler(new Request(`http://localhost${path}`, { ...init, headers }))).status
    }
    await dispose()
    return { statuses, events: memory.events() }
  })

const linesOf = (outcome: Outcome, id: string) => outcome.events.filter((e) => e.correlationId === id)
const http = (e: LogEvent | undefined) => (e?.fields as Record<string, unknown> | undefined)?.http

/** An error as the line has it, without stacks (they name the code that made the error). */
const withoutStacks = (info: ErrorInfo | undefined): unknown =>
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
  return lines[0] as LogEvent
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body)
})

const requests = [
  ["typed-4xx", "/users/7"],
  ["typed-5xx", "/users/2"],
  ["bad-payload", "/users", json({ name: 5 })],
  ["bad-path", "/users/abc"],
  ["defect", "/crash"],
  ["undeclared", "/undeclared"],
  ["guarded", "/admin"],
  ["ok", "/users/1"],
  ["no-route", "/nowhere"]
] as const

describe("Http.middleware with effect/http-api (Http.layerHttpApi)", () => {
  it.live("each failure the API answers gets one error line with its cause and the status sent", () =>
    Effect.gen(function* () {
      const api = yield* serveAndSend(ApiRoutes, requests)
      const router = yield* serveAndSend(RouterRoutes, requests)

      // a typed error answered with its declared 4xx status: the error, its fields, the request's id
      const notFound = errorLineOf(api, "typed-4xx", "GET", "/users/7", 404)
      assert.strictEqual(notFound.error?.type, "UserNotFound")
      assert.deepStrictEqual(notFound.error?.details, { id: 7 })
      // an HttpRouter handler failing with it answers 500 (the router knows no status for it)
      const routerNotFound = errorLineOf(router, "typed-4xx", "GET", "/users/7", 500)
      assert.deepStrictEqual(withoutStacks(notFound.error), withoutStacks(routerNotFound.error))
      assert.strictEqual((http(linesOf(api, "typed-4xx")[1]) as Record<string, unknown>).route, "/users/:id")

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

      // decode errors: Effect 4's HttpApi answers them 400 as defects, which reach the middleware
      const badPayload = errorLineOf(api, "bad-payload", "POST", "/users", 400)
      assert.deepStrictEqual(
        [badPayload.error?.type, badPayload.error?.message, badPayload.error?.details?.kind],
        ["HttpApiSchemaError", "Payload", "Payload"]
      )
      assert.deepStrictEqual(
        [badPayload.error?.cause?.type, badPayload.error?.cause?.message],
        ["SchemaError", 'Expected string\n  at ["name"]']
      )
      const badPath = errorLineOf(api, "bad-path", "GET", "/users/abc", 400)
      assert.deepStrictEqual(
        [badPath.error?.type, badPath.error?.details?.kind],
        ["HttpApiSchemaError", "Params"]
      )

      // a defect is not answered by the API: it reaches the middleware as a failure
      const defect = errorLineOf(api, "defect", "GET", "/crash", 500)
      const routerDefect = errorLineOf(router, "defect", "GET", "/crash", 500)
      assert.deepStrictEqual(withoutStacks(defect.error), { type: "Error", message: "bug", stack: undefined })
      assert.deepStrictEqual(withoutStacks(defect.error), withoutStacks(routerDefect.error))
      // so is a failure it does not declare
      const undeclared = errorLineOf(api, "undeclared", "GET", "/undeclared", 500)
      const routerUndeclared = errorLineOf(router, "undeclared", "GET", "/undeclared", 500)
      assert.strictEqual(undeclared.error?.message, "database down")
      assert.deepStrictEqual(withoutStacks(undeclared.error), withoutStacks(routerUndeclared.error))

      // a failing HttpApiMiddleware: its 401 gets the error line too
      assert.strictEqual(errorLineOf(api, "guarded", "GET", "/admin", 401).error?.type, "Unauthorized")

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
    })
  )

  it.live("logErrors: false leaves only the access lines", () =>
    Effect.gen(function* () {
      const { events } = yield* serveAndSend(ApiRoutes, requests, { logErrors: false })
      assert.deepStrictEqual(
        events.filter((e) => e.message !== "user read").map((e) => [e.correlationId, e.level]),
        [
          ["typed-4xx", "warn"],
          ["typed-5xx", "error"],
          ["bad-payload", "warn"],
          ["bad-path", "warn"],
          ["defect", "error"],
          ["undeclared", "error"],
          ["guarded", "warn"],
          ["ok", "info"],
          ["no-route", "warn"]
        ]
      )
    })
  )

  it.live(
    "provided to the whole server, whose boundary reports failures again, it gives the same lines",
    () =>
      Effect.gen(function* () {
        const view = (outcome: Outcome) =>
          outcome.events.map((e) => [
            e.correlationId,
            e.message,
            e.level,
            e.error?.type,
            e.error?.message,
            (http(e) as { status?: number } | undefined)?.status
          ])
        const routes = yield* serveAndSend(ApiRoutes, requests)
        const server = yield* serveAndSend(ApiRoutes, requests, undefined, "server")
        assert.deepStrictEqual(view(server), view(routes))
        assert.strictEqual(
          errorLineOf(server, "undeclared", "GET", "/undeclared", 500).error?.message,
          "database down"
        )
      })
  )

  it.live("without it, a failure the API answers leaves only its access line", () =>
    Effect.gen(function* () {
      const outcome = yield* serveAndSend(ApiRoutes, [["typed-4xx", "/users/7"]], undefined, "none")
      assert.deepStrictEqual(
        linesOf(outcome, "typed-4xx").map((e) => [e.message, e.level]),
        [["request completed", "warn"]]
      )
    })
  )
})
