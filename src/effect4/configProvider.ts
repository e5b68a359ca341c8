/**
 * fapilog's environment through an Effect 4 `ConfigProvider`. The settings read each
 * `FAPILOG_*` variable as a path (`FAPILOG_FILE__PATH` is `PATH` nested in `FAPILOG_FILE`, so
 * that nesting providers find it). Effect 4's `ConfigProvider.fromEnv` joins a path with `_`
 * and has no `pathDelim`: through it, that path is `FAPILOG_FILE_PATH`, not the variable the
 * documentation names. A provider given to the Effect 4 layer is therefore asked first for the
 * whole name, the path joined with `__` (`FAPILOG_FILE__PATH`), and only then for the path as
 * it nests it. Comma lists need nothing: the settings read them as text and split them.
 */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"

/**
 * `provider`, answering a nested path by the variable whose name is the path joined with
 * `__` when it has one, else as `provider` does.
 */
export const envProvider = (provider: ConfigProvider.ConfigProvider): ConfigProvider.ConfigProvider =>
  ConfigProvider.make((path) =>
    path.length < 2 || !path.every((segment) => typeof segment === "string")
      ? provider.load(path)
      : Effect.flatMap(provider.load([path.join("__")]), (node) =>
          node === undefined ? provider.load(path) : Effect.succeed(node)
        )
  )
