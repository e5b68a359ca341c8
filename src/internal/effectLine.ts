/**
 * The Effect line this copy of fapilog is built for, known without importing Effect: the
 * Effect 4 line resolves this module to `src/effect4/effectLine.ts` (effect4/resolution.ts).
 * Plugin discovery reads it to look for the plugin packages built for this line.
 */

/** The Effect major version this line runs on. */
export const effectMajor: 3 | 4 = 3

/** The npm package of this line: what a plugin's build for it imports. */
export const packageName: string = "fapilog"

/**
 * Whether this line ships a CommonJS build: when it runs as one, it loads a plugin with
 * `require`, so that the plugin shares its module graph. The Effect 4 line is ES modules only
 * and always uses `import()`.
 */
export const hasCommonJsBuild: boolean = true
