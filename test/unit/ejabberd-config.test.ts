import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderEjabberdConfig, type EjabberdConfigValues } from "../../src/server/ejabberd.ts";

const values: EjabberdConfigValues = {
  certDir: "/tmp/d/certs",
  caCert: "/tmp/d/certs/ca.crt",
  domain: "grid.example",
  address: "127.0.0.2",
  ports: { c2s: 1, s2s: 2, component: 3 },
  nodeCreators: ["registry.grid.example", "provisioning.grid.example"],
  components: { "registry.grid.example": "s3cret-registry", "app.grid.example": "s3cret-app" },
  smacksHibernation: 30,
  logLevel: "warn",
};

type Listener = { port: number; ip: string; module: string; [k: string]: unknown };

describe("renderEjabberdConfig", () => {
  it("renders valid YAML for the shipped template: loopback, TLS, SCRAM, components, node creators", () => {
    const cfg = parse(renderEjabberdConfig(values));
    expect(cfg.hosts).toEqual(["grid.example"]);
    expect(cfg.loglevel).toBe("warning");
    expect(cfg.auth_password_format).toBe("scram");
    expect(cfg.ca_file).toBe("/tmp/d/certs/ca.crt");
    const listen = cfg.listen as Listener[];
    expect(listen.every((l) => l.ip === "127.0.0.2")).toBe(true);
    const byModule = Object.fromEntries(listen.map((l) => [l.module, l]));
    expect(byModule.ejabberd_c2s).toMatchObject({ port: 1, starttls_required: true });
    expect(byModule.ejabberd_s2s_in).toMatchObject({ port: 2 });
    // One route per authenticated component, each with its own secret.
    expect(byModule.ejabberd_service).toMatchObject({
      port: 3,
      global_routes: false,
      hosts: { "registry.grid.example": { password: "s3cret-registry" }, "app.grid.example": { password: "s3cret-app" } },
    });
    expect(cfg.acl.node_creators.server).toEqual(values.nodeCreators);
    expect(cfg.modules.mod_pubsub.access_createnode).toBe("pubsub_createnode");
    expect(cfg.modules.mod_pubsub.hosts).toEqual(["pubsub.grid.example", "telemetry.grid.example"]);
    expect(cfg.modules.mod_stream_mgmt.resume_timeout).toBe(30);
    // No in-band registration, and no Debian-style 3 kB/s shaper on devices.
    expect(cfg.modules.mod_register).toBeUndefined();
    expect(cfg.shaper[cfg.shaper_rules.c2s_shaper].rate).toBeGreaterThanOrEqual(1_000_000);
  });

  it("stays valid with no components, and trusts a federation's CA bundle", () => {
    const cfg = parse(renderEjabberdConfig({ ...values, components: {}, nodeCreators: [], trust: "/tmp/fed/trust.pem" }));
    expect((cfg.listen as Listener[]).find((l) => l.module === "ejabberd_service")?.hosts).toEqual({});
    expect(cfg.acl.node_creators.server).toEqual([]);
    expect(cfg.ca_file).toBe("/tmp/fed/trust.pem");
  });

  it("fails loudly on a placeholder it does not know", () => {
    expect(() => renderEjabberdConfig(values, "x: {{NOPE}}")).toThrow(/ejabberd.yml template: unknown placeholder \{\{NOPE\}\}/);
  });
});
