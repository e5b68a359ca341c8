/**
 * @fapilog/webhook on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites and the delivery scenario against a real local receiver that verifies
 * signatures (the same tests as its Effect 3 suite, plugins/webhook/test/conformance.test.ts),
 * and its `./effect4` build is found by `{ type: "webhook" }` through discovery.
 */

import { webhook } from "../../../plugins/webhook/test/delivery.js"
import { describeNetworkPlugin } from "../../support/networkPlugin.js"
import { describeDiscoveredOnEffect4 } from "./discovered.js"

describeNetworkPlugin(webhook)
describeDiscoveredOnEffect4(webhook)
