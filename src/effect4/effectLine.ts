/**
 * The Effect line of `fapilog-effect4`: the Effect 4 line resolves `src/internal/effectLine.ts`
 * to this module (effect4/resolution.ts), so plugin discovery looks for the plugin packages
 * built against `fapilog-effect4` (`@fapilog/<type>-effect4`, `fapilog-plugin-<type>-effect4`).
 */
import type * as shared from "../internal/effectLine.js"

export const effectMajor: typeof shared.effectMajor = 4

export const packageName: typeof shared.packageName = "fapilog-effect4"

export const hasCommonJsBuild: typeof shared.hasCommonJsBuild = false
