/**
 * A plugin's config Schema as the rows of a table, for the marketplace page: one row per key
 * a settings entry may hold (nested objects as `batch.maxEvents`, list items as
 * `rules[].name`), each with what it accepts, whether it is required, and a default and a
 * description where the Schema knows them.
 *
 * The rows describe the **encoded** side, what a user writes in settings (the plugin
 * receives the decoded one). What a key accepts is read from the AST: the literal types, and
 * for fapilog's config Schemas (`Plugin.oneOf`, `Plugin.wholeNumber`, `Plugin.accepted`,
 * `Network.url`) the "is not <what is accepted>" of their message, the same words a bad value
 * is refused with. JSON Schema (`JSONSchema.make`) is not used: it refuses declarations
 * without a JSON Schema annotation, which every one of those is.
 */
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"
import { show } from "../../src/internal/configSchema.js"

/** One key of a plugin's config. */
export interface ConfigField {
  /** Its path in the settings entry: `url`, `batch.maxEvents`, `rules[].name`. */
  readonly path: string
  /** What it accepts, in words: `a string`, `"protobuf" | "json"`, `a whole number of events between 1 and 1000`. */
  readonly type: string
  /** Whether the entry (or the object around the key) must have it. */
  readonly required: boolean
  /** The value it takes when absent, as JSON, when the Schema declares one. */
  readonly default?: string | undefined
  readonly description?: string | undefined
}

/** Deeper nesting is summarised by its type instead of rows. */
const MAX_DEPTH = 4

const annotation = (node: { readonly annotations: AST.Annotations }, id: symbol): unknown =>
  node.annotations[id]

const PROBE = Symbol.for("fapilog/marketplace/probe")

/**
 * What a node's message says it accepts: fapilog's config Schemas fail with
 * `<value> is not <what is accepted>`, so the message of a probe value gives those words.
 */
const acceptedWords = (node: AST.AST): string | undefined => {
  const message = annotation(node, AST.MessageAnnotationId)
  if (typeof message !== "function") return undefined
  try {
    const out: unknown = message(new ParseResult.Type(node, PROBE))
    const text =
      typeof out === "string"
        ? out
        : typeof out === "object" &&
            out !== null &&
            typeof (out as { message?: unknown }).message === "string"
          ? (out as { message: string }).message
          : undefined
    const prefix = `${show(PROBE)} is not `
    return text?.startsWith(prefix) === true ? text.slice(prefix.length) : undefined
  } catch {
    return undefined
  }
}

const describedBy = (node: AST.AST): string | undefined => {
  const d = annotation(node, AST.DescriptionAnnotationId)
  return typeof d === "string" && d !== "" ? d : undefined
}

const identifierOf = (node: AST.AST): string | undefined => {
  const id = annotation(node, AST.IdentifierAnnotationId)
  return typeof id === "string" && id !== "" ? id : undefined
}

const keywordWords: Partial<Record<AST.AST["_tag"], string>> = {
  StringKeyword: "a string",
  NumberKeyword: "a number",
  BooleanKeyword: "true or false",
  BigIntKeyword: "a bigint",
  UnknownKeyword: "any value",
  AnyKeyword: "any value",
  ObjectKeyword: "an object",
  UndefinedKeyword: "undefined",
  VoidKeyword: "undefined",
  NeverKeyword: "nothing",
  SymbolKeyword: "a symbol"
}

/** The encoded side of a node: what is written in settings. */
const encoded = (node: AST.AST): AST.AST => {
  let current = node
  for (let i = 0; i < 16; i++) {
    if (current._tag === "Transformation") current = current.from
    else if (current._tag === "Suspend") current = current.f()
    else return current
  }
  return current
}

/** What a node accepts, in words, on one line. */
export const typeWords = (node: AST.AST, depth = 0): string => {
  const own = acceptedWords(node)
  if (own !== undefined) return own
  if (depth > MAX_DEPTH) return identifierOf(node) ?? "a value"
  switch (node._tag) {
    case "Literal":
      return node.literal === null ? "null" : (JSON.stringify(node.literal) ?? String(node.literal))
    case "UniqueSymbol":
      return String(node.symbol)
    case "Enums":
      return node.enums.map(([, value]) => JSON.stringify(value)).join(" | ")
    case "TemplateLiteral":
      return `a string like ${node.head}${node.spans.map((s) => `\${${typeWords(s.type, depth + 1)}}${s.literal}`).join("")}`
    case "Declaration":
      return describedBy(node) ?? identifierOf(node) ?? "a value"
    case "Refinement":
      return describedBy(node) ?? typeWords(node.from, depth + 1)
    case "Transformation":
    case "Suspend":
      return typeWords(encoded(node), depth + 1)
    case "Union":
      return node.types.map((t) => typeWords(t, depth + 1)).join(" | ")
    case "TupleType": {
      if (node.elements.length === 0 && node.rest.length === 1)
        return `a list, each item ${typeWords(node.rest[0]!.type, depth + 1)}`
      const parts = node.elements.map((e) => `${typeWords(e.type, depth + 1)}${e.isOptional ? "?" : ""}`)
      return `[${[...parts, ...node.rest.map((r) => `...${typeWords(r.type, depth + 1)}`)].join(", ")}]`
    }
    case "TypeLiteral": {
      if (node.propertySignatures.length === 0 && node.indexSignatures.length === 1) {
        const index = node.indexSignatures[0]!
        return `an object (keys: ${typeWords(index.parameter, depth + 1)}; values: ${typeWords(index.type, depth + 1)})`
      }
      const keys = node.propertySignatures.map((p) => `${String(p.name)}${p.isOptional ? "?" : ""}`)
      return `{ ${keys.join(", ")} }`
    }
    default:
      return keywordWords[node._tag] ?? identifierOf(node) ?? "a value"
  }
}

/** The object literal under refinements and transformations (a struct with a filter), if any. */
const objectOf = (
  node: AST.AST
): { readonly literal: AST.TypeLiteral; readonly defaults: ReadonlyMap<PropertyKey, string> } | undefined => {
  const defaults = new Map<PropertyKey, string>()
  let current = node
  for (let i = 0; i < 16; i++) {
    if (current._tag === "TypeLiteral") return { literal: current, defaults }
    if (current._tag === "Refinement") current = current.from
    else if (current._tag === "Suspend") current = current.f()
    else if (current._tag === "Transformation") {
      // `Schema.optionalWith(s, { default })`: decoding an absent key gives the default
      if (current.transformation._tag === "TypeLiteralTransformation")
        for (const t of current.transformation.propertySignatureTransformations) {
          try {
            const value = t.decode(Option.none())
            if (Option.isSome(value)) defaults.set(t.from, show(value.value))
          } catch {
            // a default that cannot be computed here is not shown
          }
        }
      current = current.from
    } else return undefined
  }
  return undefined
}

/** The list item type of an array Schema (`Schema.Array(x)`), if it is one. */
const itemOf = (node: AST.AST): AST.AST | undefined => {
  const e = encoded(node)
  return e._tag === "TupleType" && e.elements.length === 0 && e.rest.length === 1
    ? e.rest[0]!.type
    : undefined
}

/** A union without its `undefined` member. */
const withoutUndefined = (node: AST.AST): AST.AST => {
  if (node._tag !== "Union") return node
  const kept = node.types.filter((t) => t._tag !== "UndefinedKeyword")
  return kept.length === node.types.length ? node : AST.Union.make(kept, node.annotations)
}

/** Whether a node is an object whose keys get rows of their own (not one with a custom message). */
const hasRows = (node: AST.AST): boolean =>
  acceptedWords(node) === undefined && (objectOf(encoded(node))?.literal.propertySignatures.length ?? 0) > 0

/**
 * The rows of a config Schema: every key of the object it decodes (through filters and
 * transformations), nested objects and the objects of lists flattened under their key. A
 * Schema that is not an object (a union of shapes, say) is one row, `(config)`.
 */
export const configFields = (schema: { readonly ast: AST.AST }): ReadonlyArray<ConfigField> => {
  const rows: Array<ConfigField> = []
  const visit = (node: AST.AST, prefix: string, depth: number): void => {
    const object = objectOf(encoded(node))
    if (object === undefined) return
    for (const property of object.literal.propertySignatures) {
      if (typeof property.name !== "string") continue
      const path = `${prefix}${property.name}`
      // an optional key's `| undefined` (Schema.optional) is what "optional" already says
      const type = property.isOptional ? withoutUndefined(property.type) : property.type
      const fallback =
        annotation(property, AST.DefaultAnnotationId) ?? annotation(type, AST.DefaultAnnotationId)
      const defaultValue =
        object.defaults.get(property.name) ?? (fallback === undefined ? undefined : show(fallback))
      const description = describedBy(property as unknown as AST.AST) ?? ownDescription(type)
      const item = itemOf(type)
      rows.push({
        path,
        type: typeWords(type),
        required: !property.isOptional,
        ...(defaultValue === undefined ? {} : { default: defaultValue }),
        ...(description === undefined ? {} : { description })
      })
      if (depth >= MAX_DEPTH) continue
      if (hasRows(type)) visit(type, `${path}.`, depth + 1)
      else if (item !== undefined && hasRows(item)) visit(item, `${path}[].`, depth + 1)
    }
  }
  const root = encoded(schema.ast)
  if (objectOf(root) === undefined) return [{ path: "(config)", type: typeWords(schema.ast), required: true }]
  visit(schema.ast, "", 0)
  return rows
}

/** The descriptions Effect gives its keywords (`Schema.String`: "a string"), which say nothing more. */
const keywordDescriptions: ReadonlySet<string | undefined> = new Set(
  [
    AST.stringKeyword,
    AST.numberKeyword,
    AST.booleanKeyword,
    AST.bigIntKeyword,
    AST.unknownKeyword,
    AST.anyKeyword,
    AST.objectKeyword,
    AST.undefinedKeyword,
    AST.voidKeyword,
    AST.neverKeyword,
    AST.symbolKeyword
  ].map(describedBy)
)

/**
 * A description the Schema's author gave a value (not the words a built-in type carries, such
 * as `Schema.String`'s "a string", nor one already shown as what the value accepts).
 */
const ownDescription = (node: AST.AST): string | undefined => {
  let current = node
  for (let i = 0; i < 16; i++) {
    const d = describedBy(current)
    if (d !== undefined && !keywordDescriptions.has(d) && d !== typeWords(current)) return d
    if (current._tag === "Transformation") current = current.to
    else if (current._tag === "Suspend") current = current.f()
    else return undefined
  }
  return undefined
}
