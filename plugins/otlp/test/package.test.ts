/** The packed @fapilog/otlp installed next to the packed fapilog (test/support/pluginInstall.ts). */
import { describeInstalledPlugin } from "../../../test/support/pluginInstall.js"
import { otlp } from "./delivery.js"

describeInstalledPlugin(otlp)
