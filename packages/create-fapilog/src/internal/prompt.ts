/**
 * The questions, asked on a terminal with `node:readline/promises`: each shows its accepted
 * values and default (Enter takes it), and a wrong answer is explained and asked again.
 */
import * as readline from "node:readline/promises"
import { UsageError } from "./answers.js"

/** One question: its text, its default, the accepted values shown, and the check of an answer. */
export interface Question<A> {
  readonly text: string
  readonly defaultValue: string
  readonly accepted?: ReadonlyArray<string> | undefined
  readonly check: (raw: string) => A
}

/** Asks questions one after another on one terminal. */
export interface Asker {
  readonly ask: <A>(question: Question<A>) => Promise<A>
  readonly close: () => void
}

/** An {@link Asker} reading `input` and writing to `output`. */
export const makeAsker = (input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Asker => {
  const isTTY = (stream: object): boolean => (stream as { readonly isTTY?: boolean }).isTTY === true
  // line editing and history when both ends are a terminal
  const rl = readline.createInterface({ input, output, terminal: isTTY(input) && isTTY(output) })
  let closed = false
  const ended = new Promise<never>((_, reject) => {
    rl.once("close", () => {
      closed = true
      reject(new UsageError("stdin ended before every question was answered"))
    })
  })
  ended.catch(() => {})
  return {
    ask: async <A>(question: Question<A>): Promise<A> => {
      for (;;) {
        if (closed) throw new UsageError("stdin ended before every question was answered")
        const choices = question.accepted === undefined ? "" : ` (${question.accepted.join(", ")})`
        const answer = await Promise.race([
          rl.question(`? ${question.text}${choices} [${question.defaultValue}]: `),
          ended
        ])
        try {
          return question.check(answer.trim() === "" ? question.defaultValue : answer)
        } catch (e) {
          if (!(e instanceof UsageError)) throw e
          output.write(`  ${e.message}\n`)
        }
      }
    },
    close: () => rl.close()
  }
}
