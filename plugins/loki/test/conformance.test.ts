import { describeNetworkPlugin } from "../../../test/support/networkPlugin.js"
import { loki } from "./delivery.js"

describeNetworkPlugin(loki)
