/**
 * @fapilog/otlp on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites and the delivery scenario against a real local collector (OTLP protobuf
 * decoded with the official definitions; the same tests as its Effect 3 suite,
 * plugins/otlp/test/conformance.test.ts), its metadata agrees with its Effect 4 package
 * (plugins/otlp/effect4/package.json), and that package, built, is found by
 * `{ type: "otlp" }` through discovery.
 */

import { otlp } from "../../../plugins/otlp/test/delivery.js"
import { describeNetworkPlugin } from "../../support/networkPlugin.js"
import { describeDiscoveredOnEffect4 } from "./discovered.js"

describeNetworkPlugin(otlp, 4)
describeDiscoveredOnEffect4(otlp)
