// Several domains on one machine, federated over server-to-server XMPP (xep/flexfed.md §8): each
// domain its own server on its own loopback address, its own CA and certificates, and one private
// hosts file through which every server finds its peers and their components.
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ensureCertificates } from "./certs.ts";
import { startServer, ServerSpecSchema, type RunningServer, type ServerSpec } from "./prosody.ts";

/**
 * Peers dial a domain's standard s2s port on its address: a private hosts file has no SRV records,
 * which is why every federated domain needs an address of its own.
 */
export const S2S_PORT = 5269;

export interface Federation {
  servers: RunningServer[];
  /** The private hosts file every server resolves its peers with. */
  hostsFile: string;
  /** Every domain's CA in one file: what servers and clients (NODE_EXTRA_CA_CERTS) trust. */
  trust: string;
  /** Stops every server. */
  stop(): Promise<void>;
}

/** A domain's server; `reachAt` is where its peers dial it (default its address; a test puts a proxy there). */
export type DomainSpec = ServerSpec & { address: string; reachAt?: string };

/**
 * The hosts file: each domain, its pubsub services and its components, where peers reach the
 * domain. It starts with localhost because ejabberd's VM sees it as its /etc/hosts (ejabberd.ts).
 */
export function hostsFileText(domains: readonly { domain: string; address: string; reachAt?: string; components: readonly string[] }[]): string {
  const names = domains.flatMap(({ domain, address, reachAt, components }) =>
    [domain, ...["pubsub", "telemetry", ...components].map((label) => `${label}.${domain}`)].map((name) => `${reachAt ?? address} ${name}`),
  );
  return ["127.0.0.1 localhost", ...names].join("\n") + "\n";
}

/**
 * Writes the shared hosts file and CA bundle into `dir` and starts one server per domain, with s2s
 * on port 5269 of its address and certificate authentication of its peers. Domains and addresses
 * must be distinct; each domain keeps its own data dir and CA (`caDir`, default its own certs).
 */
export async function startFederation(dir: string, input: readonly DomainSpec[]): Promise<Federation> {
  const specs = input.map((d) => ({ ...ServerSpecSchema.parse(d), reachAt: d.reachAt }));
  for (const key of ["domain", "address"] as const) {
    const values = specs.map((s) => s[key]);
    const twice = values.find((v, i) => values.indexOf(v) !== i);
    if (twice) throw new Error(`federation: ${key} ${twice} is given to two domains; each needs its own`);
  }
  // Servers may run as the prosody user: the shared files must be readable by it.
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  const cas = await Promise.all(specs.map(async (s) => {
    const dataDir = path.resolve(s.dataDir);
    const certDir = path.join(dataDir, "certs");
    return (await ensureCertificates(certDir, s.domain, s.caDir ? path.resolve(s.caDir) : certDir)).caCert;
  }));
  const hostsFile = path.join(dir, "hosts");
  const trust = path.join(dir, "trust.pem");
  await writeFile(hostsFile, hostsFileText(specs), { mode: 0o644 });
  const bundle = await Promise.all([...new Set(cas)].map((f) => readFile(f, "utf8")));
  await writeFile(trust, bundle.join(""), { mode: 0o644 });
  const federation = { hostsFile, trust };
  const started = await Promise.allSettled(specs.map((s) => startServer({ ...s, ports: { ...s.ports, s2s: S2S_PORT }, federation })));
  const servers = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const stop = async () => { await Promise.all(servers.map((s) => s.stop())); };
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { servers, hostsFile, trust, stop };
}
