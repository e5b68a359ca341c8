/** The tamper suite (tamper.ts) on Effect 3; test/effect4/plugins/audit.test.ts runs it on Effect 4. */
import { describeTamperSuite } from "./tamper.js"

describeTamperSuite()
