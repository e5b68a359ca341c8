// @ts-check
/**
 * A typedoc plugin of this repository: names each module of the API reference after the
 * import specifier it is published under (`fapilog/http`), instead of its source file name
 * (`Http`), so the reference reads as the package is used.
 */
import { Converter, ReflectionKind } from "typedoc"

/** The module name typedoc gives an entry point (its file name) to the specifier it is imported by. */
const specifiers = new Map([
  ["index", "fapilog"],
  ["Http", "fapilog/http"],
  ["Testing", "fapilog/testing"],
  ["Express", "fapilog/express"],
  ["Fastify", "fapilog/fastify"],
  ["Sql", "fapilog/sql"]
])

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      if (module.parent !== context.project) continue
      const specifier = specifiers.get(module.name)
      if (specifier !== undefined) module.name = specifier
    }
  })
}
