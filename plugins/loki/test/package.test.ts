/** The packed @fapilog/loki installed next to the packed fapilog (test/support/pluginInstall.ts). */
import { describeInstalledPlugin } from "../../../test/support/pluginInstall.js"
import { loki } from "./delivery.js"

describeInstalledPlugin(loki)
