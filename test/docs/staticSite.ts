/**
 * Serves the built site (dist-docs/) on loopback as GitHub Pages does: under its base path
 * `/fapilog/`, clean URLs (`/fapilog/marketplace` is marketplace.html), 404.html otherwise.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"

const types: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml"
}

export interface StaticSite {
  /** The site's address: `http://127.0.0.1:<port>/fapilog/`. */
  readonly url: string
  readonly close: () => Promise<void>
}

export const serve = async (root: string, base = "/fapilog/"): Promise<StaticSite> => {
  const fileFor = (pathname: string): string | undefined => {
    if (!pathname.startsWith(base)) return undefined
    const relative = decodeURIComponent(pathname.slice(base.length))
    const candidates =
      relative === "" || relative.endsWith("/") ? [`${relative}index.html`] : [relative, `${relative}.html`]
    for (const candidate of candidates) {
      const file = path.resolve(root, candidate)
      if (!file.startsWith(root + path.sep)) return undefined
      if (fs.existsSync(file) && fs.statSync(file).isFile()) return file
    }
    return undefined
  }
  const server = http.createServer((request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://localhost")
    const file = fileFor(pathname)
    const status = file === undefined ? 404 : 200
    const body = file ?? path.join(root, "404.html")
    response.writeHead(status, { "content-type": types[path.extname(body)] ?? "application/octet-stream" })
    fs.createReadStream(body).pipe(response)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
