/**
 * Overlay (see effect4/resolution.ts): Effect 4 has no FiberRef; what were FiberRefs are
 * `Context.Reference`s. The shared sources import this module for types and for the Effect 3
 * layer's body, which the Effect 4 line replaces (src/effect4/fapilogLayer.ts): these names only
 * let those modules load. The port deletes this file.
 */
import type * as Context from "effect/Context"
import * as Logger from "effect/Logger"
import * as References from "effect/References"

export type FiberRef<A> = Context.Reference<A>

export const currentLoggers = Logger.CurrentLoggers

export const currentMinimumLogLevel = References.MinimumLogLevel

export const currentLogAnnotations = References.CurrentLogAnnotations

export const currentLogSpan = References.CurrentLogSpans
