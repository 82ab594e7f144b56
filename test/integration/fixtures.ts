import { ServerKind } from "../../src/server/prosody.ts";

/** The server every integration suite runs against: FLEXFED_SERVER=ejabberd, else Prosody. */
export const TEST_SERVER = ServerKind.parse(process.env.FLEXFED_SERVER || "prosody");

/** Components every integration suite may use (labels: "app" becomes app.<domain>). */
export const TEST_COMPONENTS = ["registry", "provisioning", "app", "app2"];
/** Accounts created at set-up; suites take distinct ones so they can run in parallel. */
export const TEST_ACCOUNTS = ["smoke-device", "smoke-outsider"];
