/**
 * The `fapilog` executable: runs the command line on Node and exits with its code. A closed
 * stdout (`fapilog pretty app.log | head`) ends it quietly.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { run } from "./Cli.js"

process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0)
  throw e
})

NodeRuntime.runMain(run(process.argv.slice(2)).pipe(Effect.provide(NodeContext.layer)), {
  // interrupted (Ctrl-C ends `pretty --follow`): 130, as a shell reports SIGINT
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit)
        ? typeof exit.value === "number"
          ? exit.value
          : 1
        : Cause.isInterruptedOnly(exit.cause)
          ? 130
          : 1
    )
})
