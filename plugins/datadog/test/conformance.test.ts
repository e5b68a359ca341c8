import { describeNetworkPlugin } from "../../../test/support/networkPlugin.js"
import { datadog } from "./delivery.js"

describeNetworkPlugin(datadog)
