// One large domain on an ejabberd cluster (README "Scaling out"): several ejabberd nodes, each on
// its own address, serve the same domain and share its state through Mnesia (accounts, sessions,
// routes of components, pubsub nodes and items), so a device on one node and an app on another
// work together as on one server. Every node has the same certificates' CA, secrets and Erlang
// cookie; the first node starts the cluster and the others join it.
import { randomBytes } from "node:crypto";
import { chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { erlangNode } from "./ejabberd.ts";
import { freePort } from "./ports.ts";
import { secretsPath, startServer, type RunningServer, type ServerSpec } from "./prosody.ts";

export interface Cluster {
  /** The nodes, the first one first; each serves the domain on its own address. */
  nodes: RunningServer[];
  stop(): Promise<void>;
}

/** Starts a node per address in `<dir>/<address>`; `spec` is the domain's (its dataDir is not used). */
export async function startEjabberdCluster(dir: string, spec: Omit<ServerSpec, "dataDir" | "address" | "server" | "cluster">, addresses: readonly string[]): Promise<Cluster> {
  if (addresses.length < 2 || new Set(addresses).size !== addresses.length) {
    throw new Error(`an ejabberd cluster takes two or more different addresses (got ${addresses.join(", ")})`);
  }
  // ejabberd runs as its own user: it must pass through to the nodes' data dirs.
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o711);
  // Erlang finds a node at <its address>:<distPort> (no epmd), so every node listens on the same port.
  const distPort = await freePort(addresses[0]);
  const cookie = randomBytes(18).toString("hex");
  const caDir = spec.caDir ?? path.join(dir, "ca");
  const nodes: RunningServer[] = [];
  const stop = async () => { await Promise.all(nodes.map((n) => n.stop())); };
  try {
    for (const address of addresses) {
      const dataDir = path.join(dir, address);
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      await writeFile(path.join(dataDir, ".erlang.cookie"), cookie, { mode: 0o600 });
      const first = nodes[0];
      // The same component secrets and account passwords on every node: a component or a device may log in to any.
      if (first) await copyFile(secretsPath(first.info.dataDir), secretsPath(dataDir));
      const join = first && erlangNode(first.info.dataDir, { address: first.info.address, cluster: { distPort } });
      nodes.push(await startServer({ ...spec, server: "ejabberd", dataDir, address, caDir, cluster: { distPort, join } }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, stop };
}
