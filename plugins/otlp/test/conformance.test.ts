import { describeNetworkPlugin } from "../../../test/support/networkPlugin.js"
import { otlp } from "./delivery.js"

describeNetworkPlugin(otlp)
