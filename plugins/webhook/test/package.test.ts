/** The packed @fapilog/webhook installed next to the packed fapilog (test/support/pluginInstall.ts). */
import { describeInstalledPlugin } from "../../../test/support/pluginInstall.js"
import { webhook } from "./delivery.js"

describeInstalledPlugin(webhook)
