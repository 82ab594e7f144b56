import { ServerKind } from "../../src/server/prosody.ts";

/** The server integration suites run against: FLEXFED_SERVER=ejabberd, else Prosody. */
export const testServerKind = (env: Record<string, string | undefined> = process.env) => ServerKind.parse(env.FLEXFED_SERVER || "prosody");
/** In a test worker: its project's server (vitest.config.ts sets FLEXFED_SERVER per project). */
export const TEST_SERVER = testServerKind();

/** Components every integration suite may use (labels: "app" becomes app.<domain>). */
export const TEST_COMPONENTS = ["registry", "provisioning", "app", "app2"];
/** Accounts created at set-up; suites take distinct ones so they can run in parallel. */
export const TEST_ACCOUNTS = ["smoke-device", "smoke-outsider"];
