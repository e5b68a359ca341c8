/**
 * An @effect/platform `HttpApi` server with fapilog's middleware, logging JSON lines to stdout.
 *
 * `GET /orders/:orderId` answers `o-1` and fails with the typed error `OrderNotFound` (404)
 * for any other id; `POST /orders` takes `{ item, quantity }` with a positive whole
 * quantity, so a body that does not match fails to decode (400). Each failure gets one
 * error line with its cause and the status sent, then the access line, both with the
 * request's correlation id.
 *
 * Run: `node --import tsx examples/http-api.ts` (PORT defaults to 3000), then
 * `curl -H 'x-request-id: abc' http://localhost:3000/orders/o-9`.
 */
import { createServer } from "node:http"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiSchema,
  HttpServer
} from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Schema } from "effect"
import { Fapilog } from "fapilog"
import * as Http from "fapilog/http"

// a typed error: the API answers it with the status its annotation declares
class OrderNotFound extends Schema.TaggedError<OrderNotFound>()(
  "OrderNotFound",
  { orderId: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

const Order = Schema.Struct({ orderId: Schema.String, item: Schema.String, quantity: Schema.Int })

const ShopApi = HttpApi.make("shop").add(
  HttpApiGroup.make("orders")
    .add(
      HttpApiEndpoint.get("getOrder", "/orders/:orderId")
        .setPath(Schema.Struct({ orderId: Schema.String }))
        .addSuccess(Order)
        .addError(OrderNotFound)
    )
    .add(
      HttpApiEndpoint.post("placeOrder", "/orders")
        .setPayload(Schema.Struct({ item: Schema.String, quantity: Schema.Int.pipe(Schema.positive()) }))
        .addSuccess(Order, { status: 201 })
    )
)

const OrdersLive = HttpApiBuilder.group(ShopApi, "orders", (handlers) =>
  handlers
    .handle("getOrder", ({ path }) =>
      path.orderId === "o-1"
        ? Effect.succeed({ orderId: "o-1", item: "book", quantity: 1 })
        : Effect.fail(new OrderNotFound({ orderId: path.orderId }))
    )
    .handle("placeOrder", ({ payload }) =>
      Effect.gen(function* () {
        yield* Fapilog.info("order placed", { item: payload.item }) // carries the request's correlationId
        return { orderId: "o-2", ...payload }
      })
    )
)

const port = Number(process.env.PORT ?? 3000)

const Server = HttpApiBuilder.serve(Http.middleware()).pipe(
  // lets the middleware see the failures the API answers itself
  Layer.provide(Http.layerHttpApi),
  Layer.provide(HttpApiBuilder.api(ShopApi).pipe(Layer.provide(OrdersLive))),
  HttpServer.withLogAddress,
  Layer.provide(NodeHttpServer.layer(createServer, { port })),
  Layer.provide(Fapilog.layer({ name: "shop", sinks: ["stdout"], format: "json" }))
)

NodeRuntime.runMain(Layer.launch(Server))
