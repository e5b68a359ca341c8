/**
 * Debian's rsyslog, started by a test on loopback: a config written into a temporary
 * directory (its own work directory, pid file and output file), listening with imudp and
 * imtcp (imtcp over TLS through the gtls driver of rsyslog-gnutls, with a certificate
 * generated for the test, when asked), writing each message it receives as one JSON object:
 * the raw message and the fields rsyslog's own RFC 5424 parser found (its structured data
 * parsed by mmpstrucdata). `rsyslogd -n` runs in the foreground, so the test owns the process.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { freePort } from "../../../test/internal/networkServer.js"

export const rsyslogd = "/usr/sbin/rsyslogd"

/** One message as rsyslog wrote it. */
export interface Received {
  readonly raw: string
  readonly pri: string
  readonly facility: string
  readonly severity: string
  readonly version: string
  readonly timestamp: string
  readonly hostname: string
  readonly appName: string
  readonly procId: string
  readonly msgId: string
  readonly sd: string
  readonly sdparsed: string
  readonly msg: string
  readonly input: string
}

export interface Rsyslog {
  readonly dir: string
  readonly udpPort: number
  readonly tcpPort: number
  /** The CA file clients trust (the self-signed certificate), when started with TLS. */
  readonly caFile: string | undefined
  /** Everything written so far, parsed. */
  readonly received: () => Array<Received>
  /** Resolves once at least `n` messages are written (polls the file; fails after `timeoutMs`). */
  readonly waitFor: (n: number, timeoutMs?: number) => Promise<Array<Received>>
  /** Everything written once the file has stopped growing (200 ms without change; at most 10 s). */
  readonly settled: () => Promise<Array<Received>>
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
  /** Stops the server, and removes the temporary directory. */
  readonly close: () => Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port })
    s.once("connect", () => {
      s.destroy()
      resolve(true)
    })
    s.once("error", () => resolve(false))
  })

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl. */
const certificate = (dir: string): { cert: string; key: string } => {
  const cert = path.join(dir, "cert.pem")
  const key = path.join(dir, "key.pem")
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-keyout",
      key,
      "-out",
      cert,
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1"
    ],
    { stdio: "pipe" }
  )
  return { cert, key }
}

const template = `template(name="fapilogTest" type="list" option.jsonf="on") {
  property(outname="raw" name="rawmsg" format="jsonf")
  property(outname="pri" name="pri" format="jsonf")
  property(outname="facility" name="syslogfacility" format="jsonf")
  property(outname="severity" name="syslogseverity" format="jsonf")
  property(outname="version" name="protocol-version" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="appName" name="app-name" format="jsonf")
  property(outname="procId" name="procid" format="jsonf")
  property(outname="msgId" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="sdParsed" name="$!rfc5424-sd" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
  property(outname="input" name="inputname" format="jsonf")
}`

/** Starts rsyslog; `tls`: its TCP listener speaks TLS (gtls, anonymous clients). */
export const startRsyslog = async (options: { readonly tls?: boolean } = {}): Promise<Rsyslog> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-rsyslog-"))
  const work = path.join(dir, "work")
  fs.mkdirSync(work)
  const output = path.join(dir, "out.jsonl")
  const pidFile = path.join(dir, "rsyslogd.pid")
  const udpPort = await freePort()
  const tcpPort = await freePort()
  const tls = options.tls === true ? certificate(dir) : undefined
  const config = [
    `global(workDirectory="${work}" maxMessageSize="64k"${
      tls === undefined
        ? ""
        : ` defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile="${tls.cert}" defaultNetstreamDriverCertFile="${tls.cert}" defaultNetstreamDriverKeyFile="${tls.key}"`
    })`,
    `module(load="imudp")`,
    tls === undefined
      ? `module(load="imtcp")`
      : `module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")`,
    `module(load="mmpstrucdata")`,
    // UDP has no flow control: a burst that outruns rsyslog (a busy machine) is dropped by the
    // kernel once the socket's receive buffer is full; a larger buffer holds the tests' bursts
    `input(type="imudp" address="127.0.0.1" port="${udpPort}" name="udp" rcvbufSize="8m")`,
    `input(type="imtcp" address="127.0.0.1" port="${tcpPort}" name="tcp")`,
    template,
    `action(type="mmpstrucdata")`,
    `action(type="omfile" file="${output}" template="fapilogTest")`,
    ""
  ].join("\n")
  const configFile = path.join(dir, "rsyslog.conf")
  fs.writeFileSync(configFile, config)
  let child: ChildProcess | undefined
  let log = ""

  const start = async () => {
    const p = spawn(rsyslogd, ["-n", "-f", configFile, "-i", pidFile], { stdio: ["ignore", "pipe", "pipe"] })
    p.stdout?.on("data", (d: Buffer) => (log += d.toString()))
    p.stderr?.on("data", (d: Buffer) => (log += d.toString()))
    child = p
    for (let i = 0; i < 200; i++) {
      if (p.exitCode !== null) throw new Error(`rsyslogd exited (${p.exitCode}):\n${log}\n${config}`)
      if (await canConnect(tcpPort)) return
      await sleep(25)
    }
    throw new Error(`rsyslogd did not listen on ${tcpPort}:\n${log}`)
  }
  const stop = async () => {
    const p = child
    child = undefined
    if (p === undefined || p.exitCode !== null) return
    const exited = new Promise<void>((r) => p.once("exit", () => r()))
    p.kill("SIGTERM")
    const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])
    if (!killed) {
      p.kill("SIGKILL")
      await exited
    }
  }
  /** The whole lines written so far (a line rsyslog is still writing is left for the next read). */
  const received = (): Array<Received> => {
    if (!fs.existsSync(output)) return []
    const text = fs.readFileSync(output, "utf8")
    return text
      .slice(0, text.lastIndexOf("\n") + 1)
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Received)
  }
  await start()
  return {
    dir,
    udpPort,
    tcpPort,
    caFile: tls?.cert,
    received,
    waitFor: async (n, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs
      for (;;) {
        const got = received()
        if (got.length >= n) return got
        if (Date.now() > until)
          throw new Error(`rsyslog wrote ${got.length} of ${n} messages within ${timeoutMs} ms:\n${log}`)
        await sleep(25)
      }
    },
    settled: async () => {
      let size = -1
      let stable = 0
      for (let i = 0; i < 400 && stable < 8; i++) {
        const now = fs.existsSync(output) ? fs.statSync(output).size : 0
        stable = now === size ? stable + 1 : 0
        size = now
        await sleep(25)
      }
      return received()
    },
    stop,
    start,
    close: async () => {
      await stop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
