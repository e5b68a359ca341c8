/**
 * The `create-fapilog` command, which `npm create fapilog@latest` runs.
 */
import { run } from "./Create.js"

process.exitCode = await run(process.argv.slice(2), {
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr
})
