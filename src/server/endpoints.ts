import type { ClientOptions, ComponentOptions } from "../xmpp/index.ts";
import type { ServerInfo } from "./prosody.ts";
import type { Secrets } from "./secrets.ts";

/** Connection options for an account of a prepared server (see readServerInfo). */
export function accountOptions(server: { info: ServerInfo; secrets: Secrets }, username: string, resource?: string): ClientOptions {
  const password = server.secrets.accounts[username];
  if (!password) throw new Error(`no account '${username}' on ${server.info.domain} (known: ${Object.keys(server.secrets.accounts).join(", ") || "none"})`);
  return {
    service: `xmpp://${server.info.address}:${server.info.ports.c2s}`,
    domain: server.info.domain,
    username,
    password,
    resource,
  };
}

/** Connection options for an external component by label: "registry" -> registry.<domain>. */
export function componentOptions(server: { info: ServerInfo; secrets: Secrets }, label: string): ComponentOptions {
  const password = server.secrets.components[label];
  if (!password) throw new Error(`no component '${label}' on ${server.info.domain} (known: ${Object.keys(server.secrets.components).join(", ")})`);
  return {
    service: `xmpp://${server.info.address}:${server.info.ports.component}`,
    domain: `${label}.${server.info.domain}`,
    password,
  };
}
