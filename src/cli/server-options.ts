import path from "node:path";
import { ServerKind } from "../server/prosody.ts";
import { UsageError } from "./usage.ts";

/** Options every command that prepares or finds the server accepts. */
export const SERVER_OPTIONS = {
  "data-dir": { type: "string" },
  server: { type: "string" },
  domain: { type: "string" },
  "c2s-port": { type: "string" },
  "s2s-port": { type: "string" },
  "component-port": { type: "string" },
} as const;

export const SERVER_OPTIONS_HELP = `  --data-dir DIR         where config, certificates, secrets and data live (default .flexfed)
  --server NAME          prosody or ejabberd (default: the data dir's, else prosody)
  --domain NAME          the XMPP domain (default localhost)
  --c2s-port N           client port on 127.0.0.1 (default 15222)
  --s2s-port N           server-to-server port (default 15269)
  --component-port N     external component port (default 15347)`;

/** Default ports sit above the standard ones, so a system-wide Prosody on 5222 does not collide. */
const DEFAULT_PORTS = { c2s: 15222, s2s: 15269, component: 15347 };

function port(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--${name} must be a port number 1-65535, got '${value}'`);
  return n;
}

function serverKind(value: string | undefined): ServerKind | undefined {
  if (value === undefined) return undefined;
  const parsed = ServerKind.safeParse(value);
  if (!parsed.success) throw new UsageError(`--server must be ${ServerKind.options.join(" or ")}, got '${value}'`);
  return parsed.data;
}

export function serverSpecFrom(values: { [K in keyof typeof SERVER_OPTIONS]?: string }) {
  return {
    dataDir: path.resolve(values["data-dir"] ?? ".flexfed"),
    server: serverKind(values.server),
    domain: values.domain ?? "localhost",
    ports: {
      c2s: port(values["c2s-port"], "c2s-port", DEFAULT_PORTS.c2s),
      s2s: port(values["s2s-port"], "s2s-port", DEFAULT_PORTS.s2s),
      component: port(values["component-port"], "component-port", DEFAULT_PORTS.component),
    },
  };
}
