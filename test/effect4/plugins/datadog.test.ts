/**
 * @fapilog/datadog on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites and the delivery scenario against the local stand-in for Datadog's logs
 * intake (the same tests as its Effect 3 suite, plugins/datadog/test/conformance.test.ts),
 * its metadata agrees with its Effect 4 package (plugins/datadog/effect4/package.json), and
 * that package, built, is found by `{ type: "datadog" }` through discovery.
 */

import { datadog } from "../../../plugins/datadog/test/delivery.js"
import { describeNetworkPlugin } from "../../support/networkPlugin.js"
import { describeDiscoveredOnEffect4 } from "./discovered.js"

describeNetworkPlugin(datadog, 4)
describeDiscoveredOnEffect4(datadog)
