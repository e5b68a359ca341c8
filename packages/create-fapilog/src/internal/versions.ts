/**
 * The versions a generated project depends on, read from the repository's own manifests: the
 * root package.json (fapilog, the Effect 3 line and the tools it is developed with) and
 * effect4/package.json (fapilog-effect4 and the Effect 4 line). The build inlines these JSON
 * imports, so the published package carries the versions of the release it was built from and
 * no version is written twice.
 */
import effect4Manifest from "../../../../effect4/package.json" with { type: "json" }
import rootManifest from "../../../../package.json" with { type: "json" }

/** A range for a dependency: an exact version pinned for development becomes a caret range. */
const caret = (version: string): string => (/^\d/.test(version) ? `^${version}` : version)

const from = (
  manifest: { readonly [key: string]: unknown },
  field: "peerDependencies" | "devDependencies",
  name: string
): string => {
  const ranges = manifest[field] as Readonly<Record<string, string>> | undefined
  const range = ranges?.[name]
  if (range === undefined) throw new Error(`create-fapilog: ${name} is not in the ${field} it is read from`)
  return caret(range)
}

/** The version ranges of every package a generated project may name. */
export interface Versions {
  /** `fapilog` (Effect 3 line) and `fapilog-effect4`. */
  readonly fapilog: string
  readonly fapilogEffect4: string
  /** `effect` on each line. */
  readonly effect3: string
  readonly effect4: string
  /** `@effect/platform` (Effect 3 only: Effect 4's HTTP is `effect/http`). */
  readonly platform3: string
  /** `@effect/platform-node` on each line. */
  readonly platformNode3: string
  readonly platformNode4: string
  readonly express: string
  readonly typesExpress: string
  readonly fastify: string
  readonly typescript: string
  readonly typesNode: string
  /** The Node versions each line supports (`engines.node`). */
  readonly node3: string
  readonly node4: string
}

const engines = (manifest: { readonly engines?: { readonly node?: string } }): string =>
  manifest.engines?.node ?? ">=20"

/** The versions of this release of fapilog and of the packages it is built and tested with. */
export const versions: Versions = {
  fapilog: caret(rootManifest.version),
  fapilogEffect4: caret(effect4Manifest.version),
  effect3: from(rootManifest, "peerDependencies", "effect"),
  effect4: from(effect4Manifest, "peerDependencies", "effect"),
  platform3: from(rootManifest, "peerDependencies", "@effect/platform"),
  platformNode3: from(rootManifest, "devDependencies", "@effect/platform-node"),
  platformNode4: from(effect4Manifest, "devDependencies", "@effect/platform-node"),
  express: from(rootManifest, "devDependencies", "express"),
  typesExpress: from(rootManifest, "devDependencies", "@types/express"),
  fastify: from(rootManifest, "devDependencies", "fastify"),
  typescript: from(rootManifest, "devDependencies", "typescript"),
  typesNode: from(rootManifest, "devDependencies", "@types/node"),
  node3: engines(rootManifest),
  node4: engines(effect4Manifest)
}
