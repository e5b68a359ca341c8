/**
 * How a command ends with a non-zero exit code (packages/cli/README.md#exit-codes): 1 when it
 * ran and found problems (invalid settings, incompatible plugins, a file that cannot be read),
 * 2 when it was used wrongly (the parser's errors are 2 as well). bin.ts maps it to the code.
 */
import * as Data from "effect/Data"

/** A command's failure: its exit code and what to print on stderr (nothing when already printed). */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly exitCode: 1 | 2
  readonly message: string
}> {}

/** Wrong use: exit code 2. */
export const usage = (message: string): CliFailure => new CliFailure({ exitCode: 2, message })

/** Problems found: exit code 1. */
export const problems = (message: string): CliFailure => new CliFailure({ exitCode: 1, message })
