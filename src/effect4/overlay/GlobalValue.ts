/**
 * Overlay (see effect4/resolution.ts): Effect 4 has no `GlobalValue`. One value per key per
 * process, kept on `globalThis`, so that two copies of a module (an ES module and a CommonJS
 * build of the same line) share it. The port moves this into the kernel and deletes this file.
 */
const store: Map<unknown, unknown> = ((globalThis as { [key: symbol]: Map<unknown, unknown> | undefined })[
  Symbol.for("fapilog/effect4/globalValues")
] ??= new Map())

export const globalValue = <A>(id: unknown, compute: () => A): A => {
  if (!store.has(id)) store.set(id, compute())
  return store.get(id) as A
}
