/** The packed @fapilog/elasticsearch installed next to the packed fapilog (test/support/pluginInstall.ts). */
import { describeInstalledPlugin } from "../../../test/support/pluginInstall.js"
import { elasticsearch } from "./delivery.js"

describeInstalledPlugin(elasticsearch)
