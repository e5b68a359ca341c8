/**
 * The `fapilog` executable: runs the command line on Node and exits with its code. A closed
 * stdout (`fapilog pretty app.log | head`) ends it quietly.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { run } from "./Cli.js"

process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0)
  throw e
})

NodeRuntime.runMain(run(process.argv.slice(2)).pipe(Effect.provide(NodeContext.layer)), {
  disableErrorReporting: false,
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : 1)
})
