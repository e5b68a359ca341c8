/**
 * The HTTP example as users run it (`npm run example:http`), in a real child process on a
 * real socket: 2,000 requests, 200 at a time, each with its own `x-request-id` and its own
 * `q`. Every response must echo its id, and every line about a request must carry exactly
 * that request's id.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as http from "node:http"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, describe, it } from "vitest"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

const REQUESTS = 2_000
const CONCURRENCY = 200

let child: ChildProcess | undefined
afterAll(() => {
  child?.kill("SIGKILL")
})

interface Started {
  readonly port: number
  readonly lines: Array<Record<string, unknown>>
  readonly exited: Promise<number | null>
}

const start = (): Promise<Started> =>
  new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FAPILOG_")))
    const proc = spawn(process.execPath, ["--import", "tsx", "examples/http-server.ts"], {
      cwd: root,
      env: { ...clean, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    child = proc
    const lines: Array<Record<string, unknown>> = []
    let buffered = ""
    let stderr = ""
    let started = false
    const exited = new Promise<number | null>((done) => proc.on("exit", (code) => done(code)))
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    proc.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8")
      let nl = buffered.indexOf("\n")
      while (nl >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        nl = buffered.indexOf("\n")
        let event: Record<string, unknown>
        try {
          event = JSON.parse(line) as Record<string, unknown>
        } catch {
          event = { notJson: line }
        }
        lines.push(event)
        const listening = /Listening on http:\/\/[^:]+:(\d+)/.exec(String(event.message))
        if (!started && listening !== null) {
          started = true
          resolve({ port: Number(listening[1]), lines, exited })
        }
      }
    })
    void exited.then((code) => {
      if (!started) reject(new Error(`example exited (${code}) before listening: ${stderr}`))
    })
  })

// a connection per request: no reuse of a socket the server is closing (keep-alive races under load)
const agent = new http.Agent({ keepAlive: false, maxSockets: CONCURRENCY })

const request = (port: number, id: string, q: string) =>
  new Promise<{ status: number; echoed: string | undefined; body: string }>((resolve, reject) => {
    const req = http.get(
      { host: "127.0.0.1", port, path: `/hello?q=${q}`, headers: { "x-request-id": id }, agent },
      (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (c: string) => {
          body += c
        })
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            echoed: res.headers["x-request-id"] as string | undefined,
            body
          })
        )
      }
    )
    req.on("error", reject)
  })

describe("examples/http-server.ts", () => {
  it("2,000 requests, 200 concurrent: each id echoed, each line carries only its request's id", async () => {
    const server = await start()
    const ids = Array.from(
      { length: REQUESTS },
      (_, i) => `req-${i}-${Math.random().toString(36).slice(2, 8)}`
    )
    const qOf = (i: number) => `q${i}`
    let next = 0
    const responses: Array<{ status: number; echoed: string | undefined; body: string }> = []
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++
        responses[i] = await request(server.port, ids[i] as string, qOf(i))
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    agent.destroy()
    child?.kill("SIGTERM")
    assert.strictEqual(await server.exited, 0)

    assert.deepStrictEqual(
      server.lines.filter((l) => "notJson" in l),
      [],
      "every stdout line is a JSON event"
    )
    for (let i = 0; i < REQUESTS; i++) {
      assert.strictEqual(responses[i]?.status, 200)
      assert.strictEqual(responses[i]?.echoed, ids[i])
      assert.strictEqual(responses[i]?.body, `hello ${qOf(i)}\n`)
    }

    const byId = new Map<string, Array<Record<string, unknown>>>()
    for (const line of server.lines) {
      const id = line.correlationId
      if (typeof id !== "string") continue
      const list = byId.get(id) ?? []
      list.push(line)
      byId.set(id, list)
    }
    for (let i = 0; i < REQUESTS; i++) {
      const mine = byId.get(ids[i] as string) ?? []
      assert.deepStrictEqual(
        mine.map((l) => l.message).sort(),
        ["hello answered later", "hello requested", "request completed"],
        `lines of ${ids[i]}`
      )
      for (const line of mine) {
        if (line.message === "request completed") {
          const h = line.http as Record<string, unknown>
          assert.strictEqual(h.path, "/hello")
          assert.strictEqual(h.status, 200)
        } else assert.strictEqual(line.q, qOf(i), `q of a line of ${ids[i]}`)
      }
    }
    // no line about a request is missing its id or carries another request's
    const withQ = server.lines.filter((l) => typeof l.q === "string")
    assert.strictEqual(withQ.length, 2 * REQUESTS)
    for (const line of withQ) {
      const i = Number(String(line.q).slice(1))
      assert.strictEqual(line.correlationId, ids[i])
    }
  }, 120_000)
})
