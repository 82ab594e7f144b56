// Starts one real server (Prosody, or ejabberd with FLEXFED_SERVER=ejabberd) for the integration suites, through the same code as `npm start`
// (src/server), in a temp dir on free loopback ports, and stops it by PID afterwards.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureCa } from "../../src/server/certs.ts";
import { ensurePackages } from "../../src/server/install.ts";
import { startServer } from "../../src/server/prosody.ts";
import { TEST_ACCOUNTS, TEST_COMPONENTS, testServerKind } from "./fixtures.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dataDir: string;
    peerCaDir: string;
  }
}

export default async function setup(project: TestProject) {
  // Setups run in vitest's main process, one per project: the project's env says which server.
  const kind = testServerKind({ ...process.env, ...project.config.env });
  ensurePackages(kind);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-test-"));
  const server = await startServer({
    server: kind,
    dataDir,
    components: TEST_COMPONENTS,
    accounts: TEST_ACCOUNTS,
    smacksHibernation: 5,
  });
  // A second CA for the peer domain of the federation suite: each domain has its own CA.
  const peerCaDir = path.join(dataDir, "peer-ca");
  const { caCert: peerCa } = await ensureCa(peerCaDir, "the peer domain");
  const trusted = path.join(dataDir, "trusted.pem");
  // Every project's setup runs before any worker starts, so the last bundle holds the earlier ones.
  const earlier = process.env.NODE_EXTRA_CA_CERTS ? await readFile(process.env.NODE_EXTRA_CA_CERTS, "utf8").catch(() => "") : "";
  await writeFile(trusted, earlier + (await readFile(server.info.caCert, "utf8")) + (await readFile(peerCa, "utf8")));
  // Workers are forked after this point and inherit the variable: it is how xmpp.js's STARTTLS
  // trusts the generated CAs (it cannot be given a CA option).
  process.env.NODE_EXTRA_CA_CERTS = trusted;
  project.provide("dataDir", dataDir);
  project.provide("peerCaDir", peerCaDir);
  return async () => {
    await server.stop();
    if (!process.env.FLEXFED_KEEP_TEST_DIR) await rm(dataDir, { recursive: true, force: true });
  };
}
