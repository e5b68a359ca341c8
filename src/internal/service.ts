import * as Effect from "effect/Effect"
import type { FapilogService } from "../Fapilog.js"
import * as bridge from "./effectLogger.js"
import type { Pipeline } from "./pipeline.js"
import type { ResolvedSettings } from "./settings/index.js"

/**
 * The `Fapilog` service over a built pipeline, for either Effect line: `./effectLogger.js` is
 * the line's own bridge (the Effect 4 build resolves it to `src/effect4/logger.ts`).
 */
export const serviceOf = (pipeline: Pipeline, settings: ResolvedSettings): FapilogService => ({
  settings,
  flush: pipeline.flush,
  level: Effect.sync(() => bridge.levelOf(pipeline)),
  setLevel: (level) => Effect.sync(() => pipeline.setLevel(level)),
  stats: Effect.sync(() => pipeline.stats()),
  health: Effect.sync(() => pipeline.health()),
  [bridge.pipelineKey]: pipeline
})
