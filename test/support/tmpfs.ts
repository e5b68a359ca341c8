import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/**
 * Mounts a tmpfs of `size` (such as "64k") on a new directory for `f`, and unmounts it
 * afterwards: a small disk to fill, for ENOSPC tests. They need root (CI runs as root); a
 * mount that fails fails the test, saying so, rather than skipping it.
 */
export const withTmpfs = async <A>(size: string, f: (dir: string) => A | Promise<A>): Promise<A> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-enospc-"))
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" })
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true })
    const detail = (e as { stderr?: Buffer }).stderr?.toString().trim() || String(e)
    throw new Error(
      `cannot mount a ${size} tmpfs at ${dir}: the ENOSPC tests need root (as in CI) and a mount they may use: ${detail}`
    )
  }
  try {
    return await f(dir)
  } finally {
    execFileSync("umount", [dir], { stdio: "pipe" })
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Fills the disk under `dir` with a file `filler` (its path is returned) until ENOSPC. */
export const fillDisk = (dir: string): string => {
  const file = path.join(dir, "filler")
  const fd = fs.openSync(file, "w")
  try {
    for (const size of [65536, 4096, 1]) {
      const chunk = Buffer.alloc(size, 120)
      try {
        for (;;) fs.writeSync(fd, chunk)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e
      }
    }
  } finally {
    fs.closeSync(fd)
  }
  return file
}
