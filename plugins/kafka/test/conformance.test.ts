/**
 * @fapilog/kafka under fapilog/testing's plugin and sink conformance suites, delivering through
 * `@platformatic/kafka` to the protocol-spec broker of kafkaBroker.ts; the same suites run on
 * Effect 4 from test/effect4/plugins/kafka.test.ts.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { describeKafkaConformance } from "./conformance.js"
import { type KafkaBroker, startKafkaBroker } from "./kafkaBroker.js"

let broker: KafkaBroker | undefined
beforeAll(async () => {
  broker = await startKafkaBroker({ topic: "conformance" })
})
afterAll(() => broker?.close())

describeKafkaConformance(() => broker!, 3, Testing)
