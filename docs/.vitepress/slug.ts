/**
 * Heading anchors, made the way GitHub makes them: lower case, punctuation removed, each
 * space a hyphen, a repeated heading numbered `-1`, `-2`. The site uses the same rule
 * (config.mts), so `guide.md#an-anchor` works in the repository and on the site alike, and
 * scripts/docs-check.ts checks every `#anchor` with it.
 */
export const slugify = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-")
