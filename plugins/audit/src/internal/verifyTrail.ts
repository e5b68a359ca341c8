import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import { readDirectory } from "./fileStore.js"
import { resolveKey, signingKeyOf } from "./key.js"
import { namesOf, type PgTarget, snapshotOf } from "./pgStore.js"
import type { Report } from "./verify.js"
import { verifySnapshot } from "./verify.js"

export type TrailSource = string | { readonly postgres: PgTarget }

export interface VerifyOptions {
  /** The trail's key: hex (at least 32 bytes), `"env:NAME"`, or the key's bytes. */
  readonly key: string | Uint8Array
}

export const verifyTrail = async (source: TrailSource, options: VerifyOptions): Promise<Report> => {
  const key = typeof options.key === "string" ? resolveKey(options.key, "key") : Buffer.from(options.key)
  if (typeof options.key !== "string" && key.length < 32)
    throw new RangeError(`key: ${key.length} bytes is too short; accepted: at least 32 bytes`)
  const publicKey = crypto.createPublicKey(signingKeyOf(key))
  if (typeof source === "string") {
    const dir = path.resolve(source)
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new RangeError(`path: ${JSON.stringify(source)} is not a directory (an audit trail's directory)`)
    return verifySnapshot(dir, readDirectory(dir), key, publicKey)
  }
  const client = new pg.Client({ connectionString: source.postgres.connectionString })
  await client.connect()
  try {
    const names = namesOf(source.postgres)
    const exists = await client.query("SELECT to_regclass($1) AS t", [names.records])
    if (exists.rows[0].t === null)
      throw new RangeError(`postgres.table: ${names.records} does not exist (an audit trail's table)`)
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    const snapshot = await snapshotOf(client, source.postgres)
    await client.query("COMMIT")
    const url = new URL(source.postgres.connectionString)
    return verifySnapshot(`postgres://${url.host}${url.pathname}#${names.records}`, snapshot, key, publicKey)
  } finally {
    await client.end().catch(() => {})
  }
}
