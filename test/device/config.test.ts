import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, openSite, readConfigFile, resolveDevices } from "../../src/device/config.ts";
import type { DriverFamily } from "../../src/device/driver.ts";

// Only the schema matters here: resolveDevices never creates a driver.
const family: DriverFamily = {
  type: "test-meter",
  config: z.object({ host: z.string(), port: z.number().int().min(1).max(65535) }),
  create: () => { throw new Error("not used"); },
};

const device = (over: object = {}) => ({ resourceId: "meter-1", driver: { type: "test-meter", host: "127.0.0.1", port: 5020 }, ...over });

const message = (input: unknown) => {
  try {
    resolveDevices(input, [family], "home.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("device configuration", () => {
  it("resolves one device and a list, parsing the driver part with its family's schema", () => {
    const [one] = resolveDevices(device({ tags: { SITE: "home-1", PMAX: 5000 } }), [family]);
    expect(one).toMatchObject({ config: { resourceId: "meter-1", tags: { SITE: "home-1", PMAX: 5000 } }, driverConfig: { host: "127.0.0.1", port: 5020 } });
    expect(resolveDevices({ devices: [device(), device({ resourceId: "meter-2" })] }, [family]).map((d) => d.config.resourceId)).toEqual(["meter-1", "meter-2"]);
  });

  it("names the file and the path of the field at fault", () => {
    expect(message({ devices: [device(), device({ resourceId: "meter-2", driver: { type: "test-meter", host: "h", port: 70000 } })] }))
      .toBe("home.json: devices.1.driver.port: Too big: expected number to be <=65535");
    expect(message(device({ resourceId: "Meter 1" }))).toMatch(/^home\.json: resourceId: must be 1-63 of a-z/);
    expect(message({ resourceId: "m" })).toMatch(/^home\.json: driver: /);
  });

  it("refuses unknown driver types (listing the known ones) and repeated resource ids", () => {
    expect(message(device({ driver: { type: "toaster" } }))).toBe("home.json: driver.type: 'toaster' is unknown (known: test-meter)");
    expect(message({ devices: [device(), device()] })).toBe("home.json: devices.1.resourceId: 'meter-1' appears twice");
  });

  it("reads YAML and JSON, and reports a file that is neither", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "flexfed-config-"));
    const yaml = path.join(dir, "site.yaml");
    writeFileSync(yaml, "site: home-1\ntags: { FEEDER: f-12 }\ndevices:\n  - resourceId: meter-1\n    tags: { FEEDER: f-13 }\n    driver: { type: test-meter, host: 127.0.0.1, port: 5020 }\n");
    const [d] = resolveDevices(readConfigFile(yaml), [family], yaml);
    // The site's tags reach every device; a device's own win.
    expect(d!.config.tags).toEqual({ SITE: "home-1", FEEDER: "f-13" });
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, "{ resourceId: [");
    expect(() => readConfigFile(bad)).toThrow(new RegExp(`^${bad.replace(/[.]/g, "\\.")}: not valid YAML or JSON`));
  });

  it("starts the simulators of simulated devices, merges how to reach them, and stops them on error", async () => {
    const started: string[] = [], stopped: string[] = [];
    const simulated: DriverFamily = {
      ...family,
      example: { host: "192.168.1.20", port: 502 },
      simulate: async (id) => {
        started.push(id);
        return { settings: { host: "127.0.0.1", port: 40_000 + started.length }, where: `sim ${id}`, stop: async () => { stopped.push(id); } };
      },
    };
    const site = await openSite({ devices: [{ resourceId: "m1", driver: { type: "test-meter" }, simulate: true }] }, [simulated], "site.yaml");
    expect(site.devices[0]).toMatchObject({ driverConfig: { host: "127.0.0.1", port: 40_001 }, simulated: "sim m1" });
    await site.stop();
    expect(stopped).toEqual(["m1"]);
    // The second device is wrong: the first one's simulator is stopped again, and the hint shows a good one.
    const failing = openSite({ devices: [{ resourceId: "m2", driver: { type: "test-meter" }, simulate: true }, { resourceId: "m3", driver: { type: "test-meter", host: "h" } }] }, [simulated], "site.yaml");
    await expect(failing).rejects.toThrow(/site\.yaml: devices\.1\.driver\.port: .*\n  hint: a test-meter driver looks like \{"type":"test-meter","host":"192\.168\.1\.20","port":502\}/);
    expect(stopped).toEqual(["m1", "m2"]);
    expect(() => resolveDevices({ resourceId: "m4", driver: { type: "test-meter" }, simulate: true }, [simulated], "f")).toThrow(/use openSite/);
    expect(() => resolveDevices({ resourceId: "m4", driver: { type: "test-meter" }, simulate: true }, [family], "f")).toThrow(/test-meter has no simulator/);
  });
});
