// Commands that act over XMPP as an account of the prepared server (an owner, a grid operator).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { accountOptions } from "../server/endpoints.ts";
import { readServerInfo } from "../server/prosody.ts";
import type { ServerInfo } from "../server/prosody.ts";
import { XmppConnection } from "../xmpp/index.ts";
import { serverSpecFrom, SERVER_OPTIONS } from "./server-options.ts";

export const ACCOUNT_OPTIONS = { ...SERVER_OPTIONS, as: { type: "string" } } as const;
export const ACCOUNT_OPTIONS_HELP = `  --as ACCOUNT           the account to act as (default owner); its password is in the data dir`;

/**
 * xmpp.js trusts a CA only through NODE_EXTRA_CA_CERTS, which Node reads at start-up: when it does
 * not name the server's CA, the command runs itself again with it set, so the user never has to.
 * Returns the re-run's exit code, or undefined when this process already trusts the CA.
 */
export function rerunTrustingCa(info: ServerInfo): number | undefined {
  // A federated server's clients may log in to its peers too: they trust every domain's CA.
  const ca = info.trust ?? info.caCert;
  if (!existsSync(ca)) throw new Error(`no CA certificate at ${ca}; run \`flexfed server setup\` first`);
  if (trusts(process.env.NODE_EXTRA_CA_CERTS, ca)) return undefined;
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
  });
  return again.status ?? 1;
}

const pems = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];

/** Whether the extra CA file Node was started with holds every certificate of `ca` (a bundle may hold more). */
function trusts(extra: string | undefined, ca: string): boolean {
  if (!extra) return false;
  if (extra === ca) return true;
  try {
    const have = new Set(pems(readFileSync(extra, "utf8")));
    const want = pems(readFileSync(ca, "utf8"));
    return want.length > 0 && want.every((p) => have.has(p));
  } catch {
    return false;
  }
}

/** Runs `fn` logged in as an account of the server in the data dir. */
export async function asAccount(
  values: { [K in keyof typeof ACCOUNT_OPTIONS]?: string },
  fn: (conn: XmppConnection, info: ServerInfo) => Promise<number>,
): Promise<number> {
  const server = readServerInfo(serverSpecFrom(values).dataDir);
  const rerun = rerunTrustingCa(server.info);
  if (rerun !== undefined) return rerun;
  const conn = await XmppConnection.client({ ...accountOptions(server, values.as ?? "owner", `cli-${process.pid}`), connectTimeoutMs: 10_000 });
  try {
    return await fn(conn, server.info);
  } finally {
    await conn.stop();
  }
}
