/**
 * The one process-wide piece of fapilog: a single `exit` listener that gives every open
 * pipeline a last synchronous drain. Pipelines register when they open and leave when they
 * close; the listener is installed while at least one is registered. It installs no signal
 * handlers: those belong to the application (or to `NodeRuntime.runMain`).
 */
import { processEvents } from "./platform.js"

export interface ExitDrainable {
  readonly drainOnExit: () => void
}

const open = new Set<ExitDrainable>()

const onExit = (): void => {
  for (const p of open) {
    try {
      p.drainOnExit()
    } catch {
      // a failing drain must not stop the others
    }
  }
}

export const register = (p: ExitDrainable): void => {
  if (open.size === 0) processEvents?.on("exit", onExit)
  open.add(p)
}

export const unregister = (p: ExitDrainable): void => {
  if (open.delete(p) && open.size === 0) processEvents?.off("exit", onExit)
}

/** Pipelines that asked to log a crash (an uncaught exception or unhandled rejection) at fatal. */
export interface CrashLogger {
  readonly logCrash: (error: unknown, origin: string) => void
}

const crashLoggers = new Set<CrashLogger>()

const onCrash = (error: unknown, origin: string): void => {
  for (const c of crashLoggers) {
    try {
      c.logCrash(error, origin)
    } catch {
      // logging a crash must never cause another
    }
  }
}

/**
 * `uncaughtExceptionMonitor` observes without handling: Node still prints the error and
 * exits as it would have, after fapilog has written the crash and everything before it.
 * Unhandled rejections reach it too (Node's default turns them into uncaught exceptions).
 */
export const registerCrash = (c: CrashLogger): void => {
  if (crashLoggers.size === 0) processEvents?.on("uncaughtExceptionMonitor", onCrash)
  crashLoggers.add(c)
}

export const unregisterCrash = (c: CrashLogger): void => {
  if (crashLoggers.delete(c) && crashLoggers.size === 0)
    processEvents?.off("uncaughtExceptionMonitor", onCrash)
}
