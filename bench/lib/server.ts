// The bench's own Prosody: a temp data dir, free loopback ports, certificates from the CA the
// runner made and trusts (bench/run.ts sets NODE_EXTRA_CA_CERTS before Node starts), accounts with
// progress. Stopped by its PID.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { addAccounts, startServer, type RunningServer, type ServerSpec } from "../../src/server/prosody.ts";
import { onInterrupt } from "./proc.ts";
import { seconds } from "./stats.ts";

const ACCOUNT_BATCH = 250;

export interface BenchServer {
  server: RunningServer;
  dataDir: string;
  /** prosodyctl's account creation time, s. */
  accountsS: number;
  /** Stops the server and starts it again on the same data dir and ports (a fresh process). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function benchServer(name: string, spec: Omit<ServerSpec, "dataDir"> & { bulkAccounts?: readonly string[] }): Promise<BenchServer> {
  const caDir = process.env.FLEXFED_BENCH_CA;
  if (!caDir) throw new Error("run the benches through bench/run.ts (it makes the CA the clients trust)");
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `flexfed-bench-${name}-`));
  const { bulkAccounts = [], ...rest } = spec;
  console.log(`${name}: starting Prosody ...`);
  let server = await startServer({ logLevel: "warn", ...rest, dataDir, caDir }).catch(async (err: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  const stop = async () => {
    forget();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const forget = onInterrupt(stop);
  const bench: BenchServer = {
    get server() { return server; },
    dataDir, accountsS: 0, stop,
    restart: async () => {
      await server.stop();
      // The same ports: clients and components already know them.
      server = await startServer({ logLevel: "warn", ...rest, dataDir, caDir, ports: server.info.ports });
    },
  };
  try {
    const t0 = performance.now();
    for (let i = 0; i < bulkAccounts.length; i += ACCOUNT_BATCH) {
      await addAccounts(dataDir, bulkAccounts.slice(i, i + ACCOUNT_BATCH));
      const done = Math.min(i + ACCOUNT_BATCH, bulkAccounts.length);
      console.log(`${name}: accounts ${done}/${bulkAccounts.length} (${(done / seconds(t0)).toFixed(0)}/s)`);
    }
    bench.accountsS = seconds(t0);
    return bench;
  } catch (err) {
    await stop();
    throw err;
  }
}
