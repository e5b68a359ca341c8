/**
 * Overlay (see effect4/resolution.ts): Effect 4 has no `ExecutionStrategy`; `Scope.fork`
 * takes the finalizer order as a string. The port passes the string through the kernel and
 * deletes this file.
 */
export const sequential = "sequential" as const

export const parallel = "parallel" as const
