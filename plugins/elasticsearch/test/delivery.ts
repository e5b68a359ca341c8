/** How @fapilog/elasticsearch delivers, as a `_bulk` endpoint sees it (test/support/networkPlugin.ts). */
import { assert } from "@effect/vitest"
import type { Received } from "../../../test/internal/networkServer.js"
import type { NetworkPluginCase } from "../../../test/support/networkPlugin.js"
import * as Elasticsearch from "../src/index.js"
import { bodyText, bulkAnswer } from "./bulkServer.js"

/** The documents of bulk bodies, in order: each action line followed by its source. */
export const documentsOf = (
  requests: ReadonlyArray<Received>
): Array<{
  readonly action: Record<string, { _index: string; _id: string }>
  readonly source: Record<string, unknown>
}> =>
  requests.flatMap((r) => {
    const lines = bodyText(r).split("\n").slice(0, -1)
    const out = []
    for (let i = 0; i < lines.length; i += 2)
      out.push({
        action: JSON.parse(lines[i]!) as Record<string, { _index: string; _id: string }>,
        source: JSON.parse(lines[i + 1]!) as Record<string, unknown>
      })
    return out
  })

export const elasticsearch: NetworkPluginCase = {
  type: "elasticsearch",
  module: Elasticsearch,
  url: (port) => `http://127.0.0.1:${port}`,
  // dead letters (of the conformance suite's refusing server) are tested in Elasticsearch.test.ts
  settings: { dataStream: "logs-e2e-default", deadLetter: "none" },
  accept: 200,
  // a cluster that creates every document of the body
  acceptBody: (r) => {
    const answer = bulkAnswer(bodyText(r), [], new Map(), new Map(), undefined)
    return answer === "hang" ? "" : (answer.body ?? "")
  },
  checkRequest: (r) => {
    assert.strictEqual(r.url, "/_bulk")
    assert.strictEqual(r.headers["content-type"], "application/x-ndjson")
    for (const d of documentsOf([r])) {
      assert.strictEqual(d.action.create?._index, "logs-e2e-default")
      assert.isNotEmpty(String(d.action.create?._id ?? ""))
      assert.strictEqual(d.source["service.name"], "e2e")
      assert.property(d.source, "@timestamp")
    }
  },
  messages: (accepted) => documentsOf(accepted).map((d) => String(d.source.message))
}
