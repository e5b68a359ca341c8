import { describeNetworkPlugin } from "../../../test/support/networkPlugin.js"
import { elasticsearch } from "./delivery.js"

describeNetworkPlugin(elasticsearch)
