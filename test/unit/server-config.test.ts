import { mkdtemp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderProsodyConfig, type ProsodyConfigValues } from "../../src/server/config.ts";
import { ensureSecrets } from "../../src/server/secrets.ts";

const values: ProsodyConfigValues = {
  dataDir: "/tmp/d",
  certDir: "/tmp/d/certs",
  domain: "grid.example",
  address: "127.0.0.2",
  ports: { c2s: 1, s2s: 2, component: 3 },
  admins: ["registry.grid.example", "provisioning.grid.example"],
  components: { "registry.grid.example": "s3cret-registry" },
  smacksHibernation: 30,
  logLevel: "info",
};

describe("renderProsodyConfig", () => {
  it("fills every placeholder of the shipped template", () => {
    const cfg = renderProsodyConfig(values);
    expect(cfg).not.toMatch(/\{\{/);
    expect(cfg).toContain('interfaces = { "127.0.0.2" }');
    expect(cfg).toContain("c2s_ports = { 1 }");
    expect(cfg).toContain('admins = { "registry.grid.example", "provisioning.grid.example" }');
    expect(cfg).toContain('Component "registry.grid.example"\n  component_secret = "s3cret-registry"');
    expect(cfg).toContain('Component "pubsub.grid.example" "pubsub"');
    expect(cfg).toContain("c2s_require_encryption = true");
    // Without these a reply waits for delayed ACKs and for disk writes of other stanzas (bench/control.ts).
    expect(cfg).toContain("network_settings = { nagle = false, opportunistic_writes = true }");
    // No rate limits: Debian's default c2s limit of 10 kB/s would distort every benchmark.
    const modules = /modules_enabled = \{([^}]*)\}/.exec(cfg)?.[1] ?? "";
    expect(modules).toContain('"smacks"');
    expect(modules).not.toContain('"limits"');
  });

  it("fails loudly on a placeholder it does not know", () => {
    expect(() => renderProsodyConfig(values, "x = {{NOPE}}")).toThrow(/unknown placeholder \{\{NOPE\}\}/);
  });
});

describe("ensureSecrets", () => {
  it("generates distinct secrets with mode 0600 and keeps them across calls", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "flexfed-secrets-")), "secrets.json");
    const first = await ensureSecrets(file, { components: ["registry", "app"], accounts: ["dev1"] });
    expect(first.components.registry).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.components.registry).not.toBe(first.components.app);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await ensureSecrets(file, { components: ["registry", "provisioning"], accounts: ["dev1"] });
    expect(second.components.registry).toBe(first.components.registry);
    expect(second.accounts.dev1).toBe(first.accounts.dev1);
    expect(second.components.provisioning).toBeDefined();
    expect(JSON.parse(await readFile(file, "utf8")).components.provisioning).toBe(second.components.provisioning);
  });

  it("refuses a file that is not a secrets file, saying which", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "flexfed-secrets-"));
    const file = path.join(dir, "secrets.json");
    await import("node:fs/promises").then((fs) => fs.writeFile(file, '{"components": 3}'));
    await expect(ensureSecrets(file, { components: [], accounts: [] })).rejects.toThrow(/secrets.json is not a flexfed secrets file/);
  });
});
