import * as Effect from "effect/Effect"
import type { FapilogService } from "../Fapilog.js"
import { categoryArgument } from "./categories.js"
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
  setLevel: (level, category) =>
    // checked when called, as the Promise facade's setLevel: a bad category is a defect of the caller
    category === undefined
      ? Effect.sync(() => pipeline.setLevel(level))
      : Effect.sync(() => pipeline.setLevel(level, categoryArgument(category, "setLevel(level, category)"))),
  levels: Effect.sync(() => pipeline.levels.state()),
  stats: Effect.sync(() => pipeline.stats()),
  health: Effect.sync(() => pipeline.health()),
  [bridge.pipelineKey]: pipeline
})
