/** The packed @fapilog/datadog installed next to the packed fapilog (test/support/pluginInstall.ts). */
import { describeInstalledPlugin } from "../../../test/support/pluginInstall.js"
import { datadog } from "./delivery.js"

describeInstalledPlugin(datadog)
