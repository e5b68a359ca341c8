import { describeAlertNotify } from "./alerting.js"

describeAlertNotify(3)
