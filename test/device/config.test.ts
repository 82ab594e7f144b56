import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadDeviceFile, resolveDevices } from "../../src/device/config.ts";
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

  it("reports a file that is not JSON", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "flexfed-config-")), "bad.json");
    writeFileSync(file, "{ resourceId: ");
    expect(() => loadDeviceFile(file, [family])).toThrow(new RegExp(`^${file.replace(/[.]/g, "\\.")}: .*JSON`));
  });
});
