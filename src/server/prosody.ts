import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, readFileSync, closeSync } from "node:fs";
import { chmod, chown, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import Database from "better-sqlite3";
import { z } from "zod";
import { logger } from "../log/index.ts";
import { ensureCertificates } from "./certs.ts";
import { addEjabberdAccounts, prepareEjabberd, startEjabberd } from "./ejabberd.ts";
import { renderProsodyConfig } from "./config.ts";
import { asServerUser, isRoot, run, withOpenFilesRaised } from "./exec.ts";
import { freePort, waitForPorts } from "./ports.ts";
import { ensureSecrets, type Secrets } from "./secrets.ts";

const log = logger("server");

const Hostname = z.string().regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, "a lower-case DNS name");
const Label = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "a lower-case DNS label");
const LocalPart = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, "an account name of letters, digits, . _ -");
const Port = z.number().int().min(0).max(65535);
/** The XMPP servers flexfed can run (xep/servers.md: how they differ). */
export const ServerKind = z.enum(["prosody", "ejabberd"]);
export type ServerKind = z.infer<typeof ServerKind>;

/** What a caller asks for; port 0 (the default) means "any free port". */
export const ServerSpecSchema = z.object({
  dataDir: z.string().min(1),
  /** Unset: the server the data dir was prepared with, else Prosody. */
  server: ServerKind.optional(),
  domain: Hostname.default("localhost"),
  address: z.ipv4().default("127.0.0.1"),
  ports: z.object({ c2s: Port.default(0), s2s: Port.default(0), component: Port.default(0) }).default({ c2s: 0, s2s: 0, component: 0 }),
  /** External components by label: "registry" becomes registry.<domain>. */
  components: z.array(Label).default(["registry", "provisioning"]),
  /** Components allowed to create pubsub nodes (Prosody admins). */
  admins: z.array(Label).default(["registry", "provisioning"]),
  accounts: z.array(LocalPart).default([]),
  smacksHibernation: z.number().int().positive().default(30),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Where the CA lives (default <dataDir>/certs): servers sharing a CA are trusted by one NODE_EXTRA_CA_CERTS. */
  caDir: z.string().optional(),
  /** Federated servers (see federation.ts): the resolver's hosts file and the CA bundle of every domain. */
  federation: z.object({ hostsFile: z.string().min(1), trust: z.string().min(1) }).optional(),
  /**
   * ejabberd only, a node of a cluster (cluster.ts): its Erlang node is named after its address
   * and listens for the other nodes on `distPort`, the same port on every node's address; `join`
   * is a running node it joins at start.
   */
  cluster: z.object({ distPort: Port.min(1), join: z.string().optional() }).optional(),
});
export type ServerSpec = z.input<typeof ServerSpecSchema>;

/** Everything a client of this server needs, written to <dataDir>/server.json (no secrets). */
export const ServerInfoSchema = z.object({
  server: ServerKind.default("prosody"),
  domain: z.string(),
  address: z.string(),
  ports: z.object({ c2s: z.number(), s2s: z.number(), component: z.number() }),
  dataDir: z.string(),
  caCert: z.string(),
  /** Federated: the CA bundle of every domain (what a client of several domains trusts). */
  trust: z.string().optional(),
  pubsub: z.string(),
  telemetry: z.string(),
  components: z.array(z.string()),
  accounts: z.array(z.string()),
});
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

export const serverInfoPath = (dataDir: string) => path.join(dataDir, "server.json");
export const secretsPath = (dataDir: string) => path.join(dataDir, "secrets.json");

/** Reads what `prepareServer` wrote, for processes that connect to a running server. */
export function readServerInfo(dataDir: string): { info: ServerInfo; secrets: Secrets } {
  const file = serverInfoPath(dataDir);
  if (!existsSync(file)) throw new Error(`no flexfed server prepared in ${dataDir} (run \`flexfed up\` or \`flexfed server setup\`)`);
  const info = ServerInfoSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const secrets = JSON.parse(readFileSync(secretsPath(dataDir), "utf8")) as Secrets;
  return { info, secrets };
}

/**
 * Puts the control-space pubsub store in SQLite's WAL mode before Prosody opens it (the mode is
 * kept in the file; Prosody never sets one): a commit then syncs one log instead of a rollback
 * journal and the database. Measured here: 201 -> 616 persistent publishes/s.
 */
function walJournal(file: string): void {
  try {
    const db = new Database(file, { timeout: 2_000 });
    try {
      db.pragma("journal_mode = WAL");
    } finally {
      db.close();
    }
  } catch (err) {
    // A server already running on this data dir holds the file; it keeps the mode it has.
    log.warn("pubsub store left in its journal mode", { file, error: (err as Error).message });
  }
}

async function chownTree(dir: string): Promise<void> {
  // Prosody runs as the `prosody` user when we are root; it must own what it reads and writes.
  await run("chown", ["-R", "prosody:prosody", dir]);
}

/**
 * Prepares a data dir: certificates, secrets, the rendered config and the accounts. Idempotent:
 * a second call keeps certificates and secrets and adds what is new.
 */
export async function prepareServer(input: ServerSpec): Promise<{ info: ServerInfo; secrets: Secrets; configPath: string }> {
  const spec = ServerSpecSchema.parse(input);
  if (serverOf(spec) === "ejabberd") return prepareEjabberd(spec);
  const { info, secrets, certDir } = await prepareDataDir(spec, "prosody");
  const { dataDir, ports } = info;
  const jid = (label: string) => `${label}.${spec.domain}`;
  const configPath = path.join(dataDir, "prosody.cfg.lua");
  const config = renderProsodyConfig({
    dataDir,
    certDir,
    domain: spec.domain,
    address: spec.address,
    ports,
    admins: spec.admins.map(jid),
    components: Object.fromEntries(spec.components.map((c) => [jid(c), secrets.components[c]!])),
    smacksHibernation: spec.smacksHibernation,
    logLevel: spec.logLevel,
    federation: spec.federation,
  });
  await writeFile(configPath, config, { mode: 0o600 });
  walJournal(path.join(dataDir, "pubsub.sqlite"));
  if (isRoot()) await chownTree(dataDir);
  await registerAccounts(configPath, spec.domain, spec.accounts.map((a) => [a, secrets.accounts[a]!]));
  return { info, secrets, configPath };
}

/** The server a spec asks for: the one given, else the one its data dir was prepared with, else Prosody. */
export function serverOf(spec: ServerSpec): ServerKind {
  if (spec.server) return spec.server;
  const file = serverInfoPath(path.resolve(spec.dataDir));
  return existsSync(file) ? ServerInfoSchema.parse(JSON.parse(readFileSync(file, "utf8"))).server : "prosody";
}

/** What a data dir holds whichever server runs it: certificates, secrets, and server.json with the ports chosen. */
export async function prepareDataDir(
  spec: z.output<typeof ServerSpecSchema>,
  server: ServerKind,
): Promise<{ info: ServerInfo; secrets: Secrets; certDir: string }> {
  const dataDir = path.resolve(spec.dataDir);
  const certDir = path.join(dataDir, "certs");
  await mkdir(path.join(dataDir, "data"), { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const [certs, secrets] = await Promise.all([
    ensureCertificates(certDir, spec.domain, spec.caDir && path.resolve(spec.caDir)),
    ensureSecrets(secretsPath(dataDir), { components: spec.components, accounts: spec.accounts }),
  ]);
  const ports = {
    c2s: spec.ports.c2s || (await freePort(spec.address)),
    s2s: spec.ports.s2s || (await freePort(spec.address)),
    component: spec.ports.component || (await freePort(spec.address)),
  };
  const info: ServerInfo = {
    server,
    domain: spec.domain,
    address: spec.address,
    ports,
    dataDir,
    caCert: certs.caCert,
    trust: spec.federation?.trust,
    pubsub: `pubsub.${spec.domain}`,
    telemetry: `telemetry.${spec.domain}`,
    components: spec.components,
    accounts: spec.accounts,
  };
  await writeFile(serverInfoPath(dataDir), JSON.stringify(info, null, 2) + "\n");
  return { info, secrets, certDir };
}

/**
 * Accounts for a prepared server (running or not): a generated password each, kept in secrets.json,
 * registered with prosodyctl (ejabberd: on the running server, see ejabberd.ts). Accounts that exist
 * keep their password. Returns the secrets.
 */
export async function addAccounts(dataDir: string, names: readonly string[]): Promise<Secrets> {
  const { info, secrets } = readServerInfo(dataDir);
  const missing = names.filter((n) => !secrets.accounts[n]);
  if (!missing.length) return secrets;
  const updated = await ensureSecrets(secretsPath(dataDir), { components: [], accounts: [...names] });
  if (info.server === "ejabberd") {
    await addEjabberdAccounts(info, missing.map((a) => [a, updated.accounts[a]!]));
    return updated;
  }
  await registerAccounts(path.join(dataDir, "prosody.cfg.lua"), info.domain, missing.map((a) => [a, updated.accounts[a]!]));
  return updated;
}

/** Creates (or resets the password of) accounts with `prosodyctl register`, a few at a time. */
export async function registerAccounts(configPath: string, domain: string, accounts: [string, string][]): Promise<void> {
  const queue = [...accounts];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [cmd, args] = asServerUser("prosodyctl", ["--config", configPath, "register", next[0], domain, next[1]]);
      await run(cmd, args);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
}

export const SERVER_NAMES: Record<ServerKind, string> = { prosody: "Prosody", ejabberd: "ejabberd" };

/** A running server started by us; `stop()` ends it by its PID. */
export class RunningServer {
  #exited: Promise<void>;
  #exitReason: string | undefined;

  constructor(readonly info: ServerInfo, readonly secrets: Secrets, private readonly child: ChildProcess) {
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exitReason = `${SERVER_NAMES[info.server]} exited (${signal ?? `code ${code}`})`;
        resolve();
      });
    });
  }

  get exited(): string | undefined { return this.#exitReason; }

  /** The server's own PID (from its pidfile); the spawned PID is runuser's when we are root. */
  get pid(): number | undefined {
    const file = path.join(this.info.dataDir, `${this.info.server}.pid`);
    const pid = existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : NaN;
    return Number.isInteger(pid) && pid > 0 ? pid : this.child.pid;
  }

  /** SIGTERM to the server, then SIGKILL after `graceMs`; resolves when the process has gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.#exitReason) return;
    const pid = this.pid;
    if (pid) process.kill(pid, "SIGTERM");
    const timer = setTimeout(() => {
      for (const p of [pid, this.child.pid]) if (p) try { process.kill(p, "SIGKILL"); } catch { /* already gone */ }
    }, graceMs);
    await this.#exited;
    clearTimeout(timer);
    process.removeListener("exit", this.#killOnExit);
  }

  /** Registered on process exit so that a crash of ours never leaves the server behind. */
  readonly #killOnExit = () => {
    if (this.#exitReason) return;
    for (const p of [this.pid, this.child.pid]) if (p) try { process.kill(p, "SIGTERM"); } catch { /* gone */ }
  };
  watchParentExit(): void { process.on("exit", this.#killOnExit); }
}

async function tail(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Prepares (see prepareServer) and starts the server in the foreground, waiting until its ports answer. */
export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  if (serverOf(spec) === "ejabberd") return startEjabberd({ ...spec, server: "ejabberd" });
  const { info, secrets, configPath } = await prepareServer(spec);
  // Prosody opens the component port only when it has external components to serve.
  return launch(info, secrets, asServerUser(...withOpenFilesRaised("prosody", ["--config", configPath, "-F"])), {
    ports: info.components.length ? [info.ports.c2s, info.ports.component] : [info.ports.c2s],
    logs: [path.join(info.dataDir, "prosody.log")],
  });
}

/**
 * Runs a prepared server's foreground command as its user, output in <dataDir>/console.log, and
 * waits until `ports` answer; on failure it stops the process and throws with the logs' last lines.
 */
export async function launch(
  info: ServerInfo,
  secrets: Secrets,
  [cmd, args]: [string, string[]],
  opts: { ports: number[]; logs: string[] },
): Promise<RunningServer> {
  const name = SERVER_NAMES[info.server];
  await rm(path.join(info.dataDir, `${info.server}.pid`), { force: true });
  const consoleLog = path.join(info.dataDir, "console.log");
  const out = openSync(consoleLog, "a");
  if (isRoot()) await chown(consoleLog, ...(await userIds(info.server)));
  // Own process group: a Ctrl-C in the terminal reaches us, and we stop the server in order.
  const child = spawn(cmd, args, { stdio: ["ignore", out, out], detached: true });
  closeSync(out);
  const server = new RunningServer(info, secrets, child);
  server.watchParentExit();
  try {
    await waitForPorts(info.address, opts.ports, { timeoutMs: 30_000, failed: () => server.exited });
  } catch (err) {
    await server.stop(2_000).catch(() => undefined);
    const logs = (await Promise.all([consoleLog, ...opts.logs].map((f) => tail(f)))).filter(Boolean).join("\n");
    throw new Error(`${name} did not start: ${(err as Error).message}${logs ? `\n${logs}` : ""}`);
  }
  log.info(`${info.server} started`, { pid: server.pid, ports: info.ports });
  return server;
}

/** The uid and gid of the server's system user (Debian names it after the server). */
async function userIds(user: string): Promise<[number, number]> {
  const [uid, gid] = (await run("sh", ["-c", `id -u ${user}; id -g ${user}`])).trim().split("\n").map(Number);
  return [uid!, gid!];
}
