/**
 * A trail in a directory: `segment-000001.jsonl` (records, one per line), its seal
 * `segment-000001.manifest.json`, and `head.json` (a copy of the newest manifest). Files are
 * created 0640 in a 0750 directory; appends are written whole and made durable with
 * `fdatasync` (per batch or per record, per the fsync policy) before the write resolves; a
 * new file's directory entry is synced too. Manifests and the head are written to a
 * temporary name, synced and renamed.
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { Fsync, Snapshot, Store, StoredSegment } from "./store.js"

const SEGMENT = /^segment-(\d{6,})\.jsonl$/

export const segmentFile = (segment: number): string => `segment-${String(segment).padStart(6, "0")}.jsonl`
export const manifestFile = (segment: number): string =>
  `segment-${String(segment).padStart(6, "0")}.manifest.json`
export const HEAD = "head.json"

const writeAll = (fd: number, data: Buffer): void => {
  let offset = 0
  while (offset < data.length) offset += fs.writeSync(fd, data, offset)
}

const syncDir = (dir: string): void => {
  const fd = fs.openSync(dir, "r")
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Writes `text` to `dir/name` durably: a temporary file, fsync, rename, fsync of the directory. */
const writeDurably = (dir: string, name: string, text: string): void => {
  const tmp = path.join(dir, `.${name}.${process.pid}.tmp`)
  const fd = fs.openSync(tmp, "w", 0o640)
  try {
    writeAll(fd, Buffer.from(text))
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, path.join(dir, name))
  syncDir(dir)
}

const readIfExists = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, "utf8")
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw e
  }
}

/** Reads what a trail directory holds (the verifier's view; also the writer's on start). */
export const readDirectory = (dir: string): Snapshot => {
  const numbers = fs
    .readdirSync(dir)
    .map((f) => SEGMENT.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
  const segments: Array<StoredSegment> = numbers.map((segment) => {
    const bytes = fs.readFileSync(path.join(dir, segmentFile(segment)))
    return {
      segment,
      lines: bytes.toString("utf8").split("\n"),
      sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
      bytes: bytes.length,
      manifest: readIfExists(path.join(dir, manifestFile(segment)))
    }
  })
  return { segments, head: readIfExists(path.join(dir, HEAD)) }
}

/** The file store of the trail in `dir` (created when missing). */
export const fileStore = (dir: string, fsync: Fsync): Store => {
  const target = path.resolve(dir)
  fs.mkdirSync(target, { recursive: true, mode: 0o750 })
  let open: { readonly segment: number; readonly fd: number } | undefined
  const closeOpen = () => {
    if (open !== undefined) fs.closeSync(open.fd)
    open = undefined
  }
  const fdOf = (segment: number): number => {
    if (open?.segment === segment) return open.fd
    closeOpen()
    const file = path.join(target, segmentFile(segment))
    const created = !fs.existsSync(file)
    // O_NOFOLLOW: never append through a symlink someone put in place of a segment
    const fd = fs.openSync(
      file,
      fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW,
      0o640
    )
    open = { segment, fd }
    if (created) syncDir(target)
    return fd
  }
  return {
    name: `audit:${target}`,
    load: async () => readDirectory(target),
    append: async (segment, lines) => {
      const fd = fdOf(segment)
      const size = fs.fstatSync(fd).size
      try {
        if (fsync === "record") {
          for (const line of lines) {
            writeAll(fd, Buffer.from(`${line}\n`))
            fs.fdatasyncSync(fd)
          }
        } else {
          writeAll(fd, Buffer.from(`${lines.join("\n")}\n`))
          if (fsync === "batch") fs.fdatasyncSync(fd)
        }
      } catch (e) {
        // a write that failed part way (a full disk): the segment goes back to its last whole
        // batch, so the chain the writer keeps and the file agree
        try {
          fs.ftruncateSync(fd, size)
        } catch {}
        throw e
      }
    },
    seal: async (segment, manifest) => {
      if (open?.segment === segment) {
        fs.fsyncSync(open.fd)
        closeOpen()
      }
      writeDurably(target, manifestFile(segment), manifest)
      writeDurably(target, HEAD, manifest)
    },
    remove: async (segments, removed) => {
      for (const segment of segments) {
        const file = path.join(target, segmentFile(segment))
        const manifest = path.join(target, manifestFile(segment))
        const sizeOf = (f: string) => {
          try {
            return fs.statSync(f).size
          } catch {
            return undefined
          }
        }
        const bytes = sizeOf(file)
        const existed = bytes !== undefined || sizeOf(manifest) !== undefined
        fs.rmSync(file, { force: true })
        fs.rmSync(manifest, { force: true })
        // one directory sync per segment: each is told of once its deletion is durable
        syncDir(target)
        if (existed) removed({ segment, kind: "file", name: file, bytes: bytes ?? 0, manifest })
      }
    },
    repair: async (segment, keepBytes) => {
      if (open?.segment === segment) closeOpen()
      fs.truncateSync(path.join(target, segmentFile(segment)), keepBytes)
    },
    close: async () => closeOpen()
  }
}
