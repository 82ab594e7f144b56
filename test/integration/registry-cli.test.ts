// The owner commands as a user runs them: `flexfed claim`, `registry search`, `remove`, `disown`
// in a child process against a server of the suite's own with the registry component running.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatQr, RegistryClient, startRegistry, type Registry } from "../../src/registry/index.ts";
import type { Tag } from "../../src/registry/tags.ts";
import type { XmppConnection } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const BIN = path.resolve("bin/flexfed.mjs");

describe("flexfed claim / registry search / remove / disown", () => {
  let server: OwnServer;
  let component: XmppConnection, thing: XmppConnection, other: XmppConnection;
  let registry: Registry;

  const cli = (args: string[], env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: server.info.caCert }) => {
    const child = spawn(process.execPath, [BIN, ...args, "--data-dir", server.info.dataDir, "--c2s-port", String(server.info.ports.c2s)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: undefined, ...env },
    });
    // `out` is what a user reads (both streams); `stdout` alone is what a script parses.
    let out = "", stdout = "";
    child.stdout.on("data", (d: Buffer) => { out += d; stdout += d; });
    child.stderr.on("data", (d: Buffer) => { out += d; });
    return new Promise<{ code: number | null; out: string; stdout: string }>((resolve) => child.once("exit", (code) => resolve({ code, out, stdout })));
  };

  const battery: Tag[] = [
    { type: "str", name: "SN", value: "B-1;x" }, { type: "str", name: "EFI", value: "storage" }, { type: "str", name: "SITE", value: "north" },
    { type: "num", name: "PMAX", value: 3680 }, { type: "str", name: "KEY", value: "cli-secret" },
  ];

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry"], accounts: ["owner", "cli-thing", "cli-other"] });
    component = await server.component("registry");
    registry = startRegistry({ conn: component, db: ":memory:" });
    [thing, other] = await Promise.all([server.account("cli-thing"), server.account("cli-other")]);
    await new RegistryClient(thing, component.jid).register(battery);
    await new RegistryClient(other, component.jid).register([{ type: "str", name: "SN", value: "O-1" }, { type: "str", name: "EFI", value: "storage" }]);
  });
  afterAll(async () => {
    registry?.stop();
    await Promise.all([component, thing, other].map((c) => c?.stop()));
    await server?.dispose();
  });

  it("claims by QR string, then finds the thing by terms and --op; --json prints the page", async () => {
    const claimed = await cli(["claim", "--qr", formatQr(battery)]);
    expect(claimed.out).toContain("claimed cli-thing@localhost, public");
    expect(claimed.code).toBe(0);
    const found = await cli(["registry", "search", "EFI=storage", "PMAX>=3000", "--op", "strMask:SN=B-*"]);
    expect(found.out).toContain("cli-thing@localhost  owner=owner@localhost  EFI=storage #PMAX=3680 SITE=north SN=B-1;x");
    expect(found.out).toContain("1 thing(s)");
    expect(found.code).toBe(0);
    const json = await cli(["registry", "search", "SITE~nor*", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ more: false, things: [{ jid: "cli-thing@localhost", owner: "owner@localhost" }] });
  });

  it("runs itself again with the data dir's CA when NODE_EXTRA_CA_CERTS is unset", async () => {
    const { code, out } = await cli(["claim", "SN=O-1", "EFI=storage", "--private"], {});
    expect(out).toContain("claimed cli-other@localhost, private");
    expect(code).toBe(0);
  });

  it("prints a refusal as the XMPP condition and text with exit code 1", async () => {
    const wrong = await cli(["claim", "SN=nothing"]);
    expect(wrong.out).toContain("flexfed claim: registry.localhost refused: item-not-found");
    expect(wrong.code).toBe(1);
    // The thing sent no presence and its last IQ's resource does not answer <disowned/>.
    const disown = await cli(["disown", "cli-thing@localhost"]);
    expect(disown.out).toContain("refused: not-allowed");
    expect(disown.code).toBe(1);
  });

  it("removes a thing", async () => {
    const { code, out } = await cli(["remove", "cli-thing@localhost"]);
    expect(out).toContain("removed cli-thing@localhost");
    expect(code).toBe(0);
    expect(registry.store.get("cli-thing@localhost")).toBeUndefined();
  });

  it("rejects bad arguments with exit code 2", async () => {
    for (const [args, message] of [
      [["claim", "SN"], "'SN' is not TAG=VALUE"],
      [["claim"], "give either TAG=VALUE arguments or --qr"],
      [["registry", "search", "PMAX>lots"], "'lots' is not a number"],
      [["registry", "search", "SN=1", "--bogus"], "Unknown option '--bogus'"],
      [["registry", "find"], "unknown subcommand 'find'"],
      [["disown", "nobody"], "'nobody' is not a JID of a thing"],
    ] as const) {
      const { code, out } = await cli([...args]);
      expect(out).toContain(message);
      expect(code).toBe(2);
    }
  });
});
