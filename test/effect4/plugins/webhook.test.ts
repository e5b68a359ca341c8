/**
 * @fapilog/webhook on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites and the delivery scenario against a real local receiver that verifies
 * signatures (the same tests as its Effect 3 suite, plugins/webhook/test/conformance.test.ts),
 * its metadata agrees with its Effect 4 package (plugins/webhook/effect4/package.json), and
 * that package, built, is found by `{ type: "webhook" }` through discovery.
 */

import { webhook } from "../../../plugins/webhook/test/delivery.js"
import { describeNetworkPlugin } from "../../support/networkPlugin.js"
import { describeDiscoveredOnEffect4 } from "./discovered.js"

describeNetworkPlugin(webhook, 4)
describeDiscoveredOnEffect4(webhook)
