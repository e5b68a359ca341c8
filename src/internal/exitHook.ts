/**
 * The one process-wide piece of fapilog: a single `exit` listener that gives every open
 * pipeline a last synchronous drain. Pipelines register when they open and leave when they
 * close; the listener is installed while at least one is registered. It installs no signal
 * handlers: those belong to the application (or to `NodeRuntime.runMain`).
 */
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
  if (open.size === 0) process.on("exit", onExit)
  open.add(p)
}

export const unregister = (p: ExitDrainable): void => {
  if (open.delete(p) && open.size === 0) process.off("exit", onExit)
}
