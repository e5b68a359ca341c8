/**
 * The alert sink notifying through @fapilog/webhook on Effect 4: the scenario of the Effect 3
 * suite (plugins/webhook/test/alerting.ts), against a real local receiver.
 */
import { describeAlertNotify } from "../../../plugins/webhook/test/alerting.js"

describeAlertNotify(4)
