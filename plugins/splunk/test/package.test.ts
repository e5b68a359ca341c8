/** The packed @fapilog/splunk installed next to the packed fapilog (test/support/pluginInstall.ts). */
import { describeInstalledPlugin } from "../../../test/support/pluginInstall.js"
import { splunk } from "./delivery.js"

describeInstalledPlugin(splunk)
