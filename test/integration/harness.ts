// What integration suites share: the running test server's coordinates and connection helpers.
import { inject } from "vitest";
import { accountOptions, componentOptions } from "../../src/server/endpoints.ts";
import { readServerInfo } from "../../src/server/prosody.ts";
import { XmppConnection } from "../../src/xmpp/index.ts";

export const testServer = () => readServerInfo(inject("dataDir"));

/** Logs in as one of the pre-created accounts, over STARTTLS with SCRAM. */
export const connectAccount = (username: string, resource = "test") =>
  XmppConnection.client(accountOptions(testServer(), username, resource));

/** Connects as an external component by label, e.g. "registry" -> registry.<domain>. */
export const connectComponent = (label: string) => XmppConnection.component(componentOptions(testServer(), label));
