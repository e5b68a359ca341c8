import { describeNetworkPlugin } from "../../../test/support/networkPlugin.js"
import { splunk } from "./delivery.js"

describeNetworkPlugin(splunk)
