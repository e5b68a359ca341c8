/**
 * Overlay (see effect4/resolution.ts): Effect 4 has no `List`. The shared sources keep a
 * record's log spans in one (Effect 3 hands them over as a List); on the Effect 4 line they
 * are a plain array, which iterates the same way. The port types the record's spans as a
 * `ReadonlyArray` on both lines and deletes this file.
 */
export type List<A> = ReadonlyArray<A>

export const fromIterable = <A>(items: Iterable<A>): List<A> => Array.from(items)

export const isNil = <A>(self: List<A>): boolean => self.length === 0
