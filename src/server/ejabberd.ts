// ejabberd as flexfed's second server (xep/servers.md): the same spec, data dir, certificates and
// secrets as Prosody (prosody.ts), its own config (server-config/ejabberd.yml) and Erlang process.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { fillPlaceholders, networkPlaceholders, type ProsodyConfigValues } from "./config.ts";
import { asServerUser, isRoot, run, withHostsFile, withOpenFilesRaised } from "./exec.ts";
import { freePort, waitForPorts } from "./ports.ts";
import { launch, prepareDataDir, prepareServer, ServerSpecSchema, type RunningServer, type ServerInfo, type ServerSpec } from "./prosody.ts";
import type { Secrets } from "./secrets.ts";

const TEMPLATE = fileURLToPath(new URL("../../server-config/ejabberd.yml", import.meta.url));
/** Debian's package creates this user; ejabberdctl runs only as it (or as root, which we avoid). */
const USER = "ejabberd";

/** Values substituted into server-config/ejabberd.yml: Prosody's (config.ts) where they mean the same. */
export type EjabberdConfigValues = Pick<ProsodyConfigValues, "certDir" | "domain" | "address" | "ports" | "components" | "smacksHibernation"> & {
  caCert: string;
  /** JIDs allowed to create pubsub nodes (Prosody: admins). */
  nodeCreators: string[];
  logLevel: keyof typeof LOG_LEVELS;
  /** Federated: the CA bundle that authenticates peers. */
  trust?: string;
};

const yaml = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
const LOG_LEVELS = { debug: "debug", info: "info", warn: "warning", error: "error" } as const;

export function renderEjabberdConfig(v: EjabberdConfigValues, template = readFileSync(TEMPLATE, "utf8")): string {
  return fillPlaceholders("ejabberd.yml", template, {
    ...networkPlaceholders(v),
    // YAML flow style, one line each, so an empty map or list stays valid (with a space after
    // each colon: ejabberd's YAML 1.1 parser rejects JSON's "key":value).
    COMPONENTS: `{${Object.entries(v.components).map(([jid, password]) => `${yaml(jid)}: {password: ${yaml(password)}}`).join(", ")}}`,
    NODE_CREATORS: `[${v.nodeCreators.map(yaml).join(", ")}]`,
    SMACKS_HIBERNATION: String(v.smacksHibernation),
    LOG_LEVEL: LOG_LEVELS[v.logLevel],
    CA_FILE: v.trust ?? v.caCert,
  });
}

/**
 * The Erlang side, for ejabberdctl (sourced as a shell file) and the VM:
 * - a node name unique to the data dir, kept across restarts (mnesia's data belongs to its node);
 * - Erlang distribution on a fixed loopback port with no epmd (`ERL_DIST_PORT`: ejabberdctl then
 *   passes -start_epmd false), so no daemon outlives the server and parallel servers never meet;
 * - a cookie of its own, in <dataDir>/.erlang.cookie (ejabberdctl runs with HOME there): erl puts
 *   -setcookie and even vm.args' contents on the VM's command line, which `ps` shows;
 * - an inetrc: how the VM resolves names. Federated, its s2s looks peers up by SRV through
 *   Erlang's DNS client, then by address through the C library (see startEjabberd): with no
 *   resolv.conf the SRV lookup fails at once (peers have none) instead of asking the machine's
 *   DNS for private names.
 */
function erlangFiles(dataDir: string, distPort: number, spec: z.output<typeof ServerSpecSchema>): Record<string, string> {
  const { federation, cluster } = spec;
  return {
    "ejabberdctl.cfg": [
      `ERLANG_NODE=${erlangNode(dataDir, spec)}`,
      `ERL_DIST_PORT=${distPort}`,
      `EJABBERD_PID_PATH=${path.join(dataDir, "ejabberd.pid")}`,
      `ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"`,
      "",
    ].join("\n"),
    "vm.args": `-kernel inet_dist_use_interface {${(cluster ? spec.address : "127.0.0.1").replaceAll(".", ",")}}\n`,
    inetrc: [
      ...(federation ? [`{hosts_file, ${JSON.stringify(federation.hostsFile)}}.`, `{resolv_conf, ""}.`] : []),
      `{host, {127,0,0,1}, ["localhost"]}.`,
      `{lookup, [file, native]}.`,
      "",
    ].join("\n"),
  };
}

/**
 * The Erlang node's name: unique to the data dir; a cluster's node is reached at its address, which
 * makes the name a long one (`name@127.x.y.z`), on the cluster's distribution port.
 */
export function erlangNode(dataDir: string, spec: Pick<ServerSpec, "address" | "cluster">): string {
  return `flexfed-${createHash("sha256").update(dataDir).digest("hex").slice(0, 12)}@${spec.cluster ? spec.address : "localhost"}`;
}

/** ejabberdctl for this data dir, as the ejabberd user; every file it reads is in the data dir. */
function ejabberdctl(dataDir: string, args: string[]): [string, string[]] {
  if (!isRoot() && userInfo().username !== USER) {
    throw new Error("ejabberd runs as the `ejabberd` user: start flexfed as root (it switches to that user) or as ejabberd");
  }
  return asServerUser(...withOpenFilesRaised("env", [
    `HOME=${dataDir}`,
    "ejabberdctl",
    "--config-dir", dataDir,
    "--config", path.join(dataDir, "ejabberd.yml"),
    "--ctl-config", path.join(dataDir, "ejabberdctl.cfg"),
    "--spool", path.join(dataDir, "spool"),
    "--logs", path.join(dataDir, "logs"),
    ...args,
  ]), USER);
}

/** Like prepareServer for Prosody: data dir, config and Erlang files. Accounts are registered at start. */
export async function prepareEjabberd(spec: z.output<typeof ServerSpecSchema>): Promise<{ info: ServerInfo; secrets: Secrets; configPath: string }> {
  const { info, secrets, certDir } = await prepareDataDir(spec, "ejabberd");
  const { dataDir } = info;
  const jid = (label: string) => `${label}.${spec.domain}`;
  const configPath = path.join(dataDir, "ejabberd.yml");
  const config = renderEjabberdConfig({
    certDir,
    caCert: info.caCert,
    domain: spec.domain,
    address: spec.address,
    ports: info.ports,
    nodeCreators: spec.admins.map(jid),
    components: Object.fromEntries(spec.components.map((c) => [jid(c), secrets.components[c]!])),
    smacksHibernation: spec.smacksHibernation,
    logLevel: spec.logLevel,
    trust: spec.federation?.trust,
  });
  await writeFile(configPath, config, { mode: 0o600 });
  const files = erlangFiles(dataDir, spec.cluster?.distPort ?? await freePort("127.0.0.1"), spec);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dataDir, name), text, { mode: 0o600 });
  // Kept across restarts, so a running node and a later ejabberdctl always agree.
  const cookie = path.join(dataDir, ".erlang.cookie");
  if (!existsSync(cookie)) await writeFile(cookie, randomBytes(18).toString("hex"), { mode: 0o600 });
  await Promise.all(["spool", "logs"].map((d) => mkdir(path.join(dataDir, d), { recursive: true, mode: 0o700 })));
  if (isRoot()) await run("chown", ["-R", `${USER}:${USER}`, dataDir]);
  return { info, secrets, configPath };
}

/**
 * Starts ejabberd in the foreground, then registers every account of secrets.json; a node that
 * joins a cluster instead joins it (its accounts are the cluster's).
 *
 * Federated, the VM runs in a mount namespace of its own in which the federation's hosts file is
 * /etc/hosts: ejabberd 23.01's s2s (p1_xmpp 1.6) finds a peer's address with the C library's
 * getaddrinfo, which reads neither inetrc nor a file of our choosing, and the machine's own
 * /etc/hosts is not ours to change. A mount namespace needs root.
 */
export async function startEjabberd(spec: ServerSpec, attempts = 3): Promise<RunningServer> {
  const { info, secrets } = await prepareServer(spec);
  const hostsFile = ServerSpecSchema.parse(spec).federation?.hostsFile;
  if (hostsFile && !isRoot()) throw new Error("a federated ejabberd needs root: it resolves its peers through a private /etc/hosts in a mount namespace of its own");
  const foreground = ejabberdctl(info.dataDir, ["foreground"]);
  const server = await launch(info, secrets, hostsFile ? withHostsFile(hostsFile, ...foreground) : foreground, {
    ports: [info.ports.c2s, info.ports.component],
    logs: [path.join(info.dataDir, "logs", "ejabberd.log"), path.join(info.dataDir, "logs", "error.log")],
  }).catch((err: Error) => {
    // The distribution port was free at prepare, but the kernel may have handed it to another
    // connection as its local port since (seen under a parallel test load): prepare a new one.
    if (attempts > 1 && /'inet_tcp': register\/listen error: eaddrinuse/.test(err.message)) return undefined;
    throw err;
  });
  if (!server) return startEjabberd(spec, attempts - 1);
  const join = ServerSpecSchema.parse(spec).cluster?.join;
  try {
    if (join) await joinCluster(server, join);
    else await addEjabberdAccounts(info, Object.entries(secrets.accounts));
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/**
 * Creates accounts (or resets their password) on a running ejabberd, a few at a time. Each
 * ejabberdctl call starts an Erlang VM that talks to the server's node.
 */
export async function addEjabberdAccounts(info: ServerInfo, accounts: [string, string][]): Promise<void> {
  const queue = [...accounts];
  const ctl = (args: string[]) => run(...ejabberdctl(info.dataDir, args));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [user, password] = next;
      await ctl(["register", user, info.domain, password]).catch(async (err: Error) => {
        if (!/already registered/i.test(err.message)) throw err;
        await ctl(["change_password", user, info.domain, password]);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
}

/**
 * Joins a running node's cluster: ejabberd stops its applications on this node, takes the
 * cluster's Mnesia schema and tables (accounts, rosters, sessions, routes, pubsub) and starts
 * again, so its listeners are back once the command returns.
 */
async function joinCluster(server: RunningServer, node: string): Promise<void> {
  const { info } = server;
  await run(...ejabberdctl(info.dataDir, ["join_cluster", node]));
  await waitForPorts(info.address, [info.ports.c2s, info.ports.component], { timeoutMs: 30_000, failed: () => server.exited });
}

/** The Erlang nodes of the cluster this server's node belongs to, itself included. */
export async function clusterNodes(info: ServerInfo): Promise<string[]> {
  // One quoted Erlang atom per line: 'name@host'.
  return (await run(...ejabberdctl(info.dataDir, ["list_cluster"]))).split(/\s+/).filter(Boolean).map((n) => n.replace(/^'(.*)'$/, "$1")).sort();
}
