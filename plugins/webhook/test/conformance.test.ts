import { describeNetworkPlugin } from "../../../test/support/networkPlugin.js"
import { webhook } from "./delivery.js"

describeNetworkPlugin(webhook)
