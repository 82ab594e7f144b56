import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const TEMPLATE = fileURLToPath(new URL("../../server-config/prosody.cfg.lua", import.meta.url));

/** Values substituted into server-config/prosody.cfg.lua. */
export interface ProsodyConfigValues {
  dataDir: string;
  certDir: string;
  domain: string;
  address: string;
  ports: { c2s: number; s2s: number; component: number };
  admins: string[];
  components: Record<string, string>; // component JID -> secret
  smacksHibernation: number;
  logLevel: string;
  /** Set when the server federates: its resolver's hosts file and the peers' CAs it trusts. */
  federation?: { hostsFile: string; trust: string };
}

const lua = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua string literal for our values

/** Renders the template; every placeholder must be known, so a typo in the template fails loudly. */
export function renderProsodyConfig(v: ProsodyConfigValues, template = readFileSync(TEMPLATE, "utf8")): string {
  const components = Object.entries(v.components)
    .map(([jid, secret]) => `Component ${lua(jid)}\n  component_secret = ${lua(secret)}`)
    .join("\n\n");
  const values: Record<string, string> = {
    ...networkPlaceholders(v),
    DATA_DIR: v.dataDir,
    ADMINS: v.admins.map(lua).join(", "),
    COMPONENTS: components,
    SMACKS_HIBERNATION: String(v.smacksHibernation),
    LOG_LEVEL: v.logLevel,
    S2S_SECURE_AUTH: String(v.federation !== undefined),
    // Prosody's resolver (libunbound) ignores /etc/hosts; the peers' names come from this file.
    FEDERATION: v.federation
      ? `unbound = { hoststxt = ${lua(v.federation.hostsFile)} }\nssl = { cafile = ${lua(v.federation.trust)} }`
      : "",
  };
  return fillPlaceholders("prosody.cfg.lua", template, values);
}

/** The placeholders every server's template has: where it listens and its certificates. */
export function networkPlaceholders(v: Pick<ProsodyConfigValues, "certDir" | "domain" | "address" | "ports">): Record<string, string> {
  return {
    CERT_DIR: v.certDir,
    DOMAIN: v.domain,
    LISTEN_ADDRESS: v.address,
    C2S_PORT: String(v.ports.c2s),
    S2S_PORT: String(v.ports.s2s),
    COMPONENT_PORT: String(v.ports.component),
  };
}

/** Replaces every {{NAME}} of a server config template; an unknown one throws, so a typo fails loudly. */
export function fillPlaceholders(name: string, template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${name} template: unknown placeholder {{${key}}}`);
    return value;
  });
}
