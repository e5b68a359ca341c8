/**
 * @fapilog/splunk on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites and the delivery scenario against a local receiver answering as the
 * HTTP Event Collector does (the same tests as its Effect 3 suite,
 * plugins/splunk/test/conformance.test.ts), its metadata agrees with its Effect 4 package
 * (plugins/splunk/effect4/package.json), and that package, built, is found by
 * `{ type: "splunk" }` through discovery.
 */

import { splunk } from "../../../plugins/splunk/test/delivery.js"
import { describeNetworkPlugin } from "../../support/networkPlugin.js"
import { describeDiscoveredOnEffect4 } from "./discovered.js"

describeNetworkPlugin(splunk, 4)
describeDiscoveredOnEffect4(splunk)
