/**
 * The request body on the access line, for both Effect lines' HTTP middleware (the Effect 3
 * one for `@effect/platform`, the Effect 4 one for `effect/http`): their server requests read
 * a body the same way (`text`, `json`, `urlParamsBody`, `arrayBuffer`, each cached once read)
 * and are copied by `modify` when a router mounts an app under a prefix.
 */
import * as Effect from "effect/Effect"
import { announcesBody, bodyField, isTextual } from "./http.js"

/** What the handler read of the request body, for the access line. */
export interface BodyTap {
  text: string | undefined
}

/** The part of a server request that reads its body: the same members on both lines. */
export interface BodyReader {
  readonly text: Effect.Effect<string, unknown>
  readonly arrayBuffer: Effect.Effect<ArrayBuffer, unknown>
  readonly modify: (options: never) => unknown
}

/**
 * The request as the handler sees it when body logging is on: the same request, except that
 * reading the body as a whole (`text`, `json`, `urlParamsBody`, `arrayBuffer`) also keeps
 * the text for the access line. Nothing is read ahead: a body the handler does not read, or
 * reads as a stream, is not logged.
 */
export const tapBody = <R extends BodyReader>(request: R, tap: BodyTap): R =>
  new Proxy(request, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target)
      switch (prop) {
        case "text":
        case "json":
        case "urlParamsBody":
          // json and urlParamsBody parse the cached body: read it back once they succeed
          return Effect.tap(value as Effect.Effect<unknown, unknown>, () =>
            Effect.map(
              Effect.orElseSucceed(target.text, () => undefined),
              (text) => {
                tap.text ??= text
              }
            )
          )
        case "arrayBuffer":
          return Effect.tap(value as Effect.Effect<ArrayBuffer, unknown>, (buffer) =>
            Effect.sync(() => {
              tap.text ??= Buffer.from(buffer).toString("utf8")
            })
          )
        case "modify":
          // a router mount slices the URL with `modify`: the copy is tapped too
          return (options: never) => tapBody(target.modify(options) as R, tap)
        default:
          return typeof value === "function" ? value.bind(target) : value
      }
    }
  })

/** The `body` of the access line: what the handler read, or why there is none. */
export const bodyForLine = (
  tap: BodyTap,
  headers: Readonly<Record<string, string | undefined>>,
  maxBytes: number
): unknown => {
  const contentType = headers["content-type"]
  if (tap.text === undefined)
    return announcesBody(headers) ? "[body not read as a whole by the handler; not logged]" : undefined
  if (!isTextual(contentType)) return `[${contentType} body not logged]`
  return bodyField(tap.text, contentType, maxBytes)
}
