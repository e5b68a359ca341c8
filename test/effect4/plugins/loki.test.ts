/**
 * @fapilog/loki on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites and the delivery scenario against a real local receiver (the same
 * tests as its Effect 3 suite, plugins/loki/test/conformance.test.ts), its metadata agrees
 * with its Effect 4 package (plugins/loki/effect4/package.json), and that package, built, is
 * found by `{ type: "loki" }` through discovery.
 */

import { loki } from "../../../plugins/loki/test/delivery.js"
import { describeNetworkPlugin } from "../../support/networkPlugin.js"
import { describeDiscoveredOnEffect4 } from "./discovered.js"

describeNetworkPlugin(loki, 4)
describeDiscoveredOnEffect4(loki)
