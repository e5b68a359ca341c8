/**
 * @fapilog/elasticsearch on Effect 4: its source, built for this line, passes the plugin and
 * sink conformance suites and the delivery scenario against a local `_bulk` endpoint (the
 * same tests as its Effect 3 suite, plugins/elasticsearch/test/conformance.test.ts), its
 * metadata agrees with its Effect 4 package (plugins/elasticsearch/effect4/package.json), and
 * that package, built, is found by `{ type: "elasticsearch" }` through discovery.
 */

import { elasticsearch } from "../../../plugins/elasticsearch/test/delivery.js"
import { describeNetworkPlugin } from "../../support/networkPlugin.js"
import { describeDiscoveredOnEffect4 } from "./discovered.js"

describeNetworkPlugin(elasticsearch, 4)
describeDiscoveredOnEffect4(elasticsearch)
