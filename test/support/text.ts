/** A UTF-16 surrogate without its other half: no UTF-8 text can hold it. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * `s` with every lone surrogate replaced by U+FFFD, the rule of WHATWG Infra's "convert a
 * string into a scalar value string" (https://infra.spec.whatwg.org/#javascript-string-convert)
 * and of ECMAScript's `String.prototype.toWellFormed`. Written here with a regular expression
 * so that the tests do not check the formatters against the function they call.
 */
export const wellFormed = (s: string): string => s.replace(new RegExp(LONE_SURROGATE.source, "g"), "\ufffd")

/** Whether `s` survives UTF-8 encoding unchanged: it holds no lone surrogate. */
export const isValidUtf8Text = (s: string): boolean =>
  new TextDecoder("utf-8", { fatal: true }).decode(new TextEncoder().encode(s)) === s
