/**
 * The one rule for keys that a format had to rename or that would repeat: in one object (or
 * one logfmt line) every key is written once, a key written as given keeps its name, and a
 * renamed key never takes a name that a key written as given has.
 *
 * 1. Keys written as given (`renamed[i]` false) claim their names, in order; a repeat of a
 *    name already claimed (a Map with the keys `1` and `"1"`, a logfmt field `"a.b"` beside
 *    the flattened `a: { b }`) waits for step 2.
 * 2. Then, in order, each remaining key takes its name if it is still free, else the first
 *    free name among `name~2`, `name~3`, ...
 *
 * So `{ "user id": 1, user_id: 2 }` in logfmt gives `user_id~2=1 user_id=2`: the field that
 * really is `user_id` keeps the name, and no value is lost.
 */
export const uniqueNames = (
  candidates: ReadonlyArray<string>,
  renamed: ReadonlyArray<boolean>,
  taken: Set<string> = new Set()
): Array<string> => {
  const names: Array<string | undefined> = new Array(candidates.length)
  for (let i = 0; i < candidates.length; i++) {
    const name = candidates[i] as string
    if (renamed[i] === true || taken.has(name)) continue
    taken.add(name)
    names[i] = name
  }
  for (let i = 0; i < candidates.length; i++) {
    if (names[i] !== undefined) continue
    const base = candidates[i] as string
    let name = base
    for (let n = 2; taken.has(name); n++) name = `${base}~${n}`
    taken.add(name)
    names[i] = name
  }
  return names as Array<string>
}
