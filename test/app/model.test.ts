import { describe, expect, it } from "vitest";
import { DeviceState } from "../../src/app/model.ts";
import type { EfiMessage } from "../../src/efi/index.ts";

const header = { efiResourceId: "bat", timestamp: "2026-11-22T10:00:00Z" };
const storageReg = { kind: "StorageRegistration", header, instructionProcessingDelay: "PT1S", fillLevelLabel: "SoC", fillLevelUnit: "%", actuators: [{ id: 0, supportedCommodity: ["ELECTRICITY"] }] } as unknown as EfiMessage;
const adjustableReg = { kind: "AdjustableRegistration", header, instructionProcessingDelay: "PT1S", supportedCommodity: ["ELECTRICITY"] } as unknown as EfiMessage;
const revoke = { kind: "FlexibilityRevoke", header } as EfiMessage;
const measurement = (power: number, at: string) => ({ kind: "Measurement", header, measurementTimestamp: at, electricityMeasurement: { power } }) as EfiMessage;

describe("an app's picture of a device", () => {
  it("takes its category from the registration, before that from the registry's EFI tag", () => {
    const d = new DeviceState("bat", "bat@d", { EFI: "storage" });
    expect(d.category).toBe("storage");
    expect(d.controllable).toBe(false);
    d.put(adjustableReg);
    expect(d.category).toBe("adjustable");
  });

  it("a registration of another category replaces the earlier one", () => {
    const d = new DeviceState("bat", "bat@d", {});
    d.put(storageReg);
    d.put(adjustableReg);
    expect(d.latest("StorageRegistration")).toBeUndefined();
    expect(d.items.map((m) => m.kind)).toEqual(["AdjustableRegistration"]);
  });

  it("hides the control space while its flexibility is revoked, and shows it again when the revoke is retracted", () => {
    const d = Object.assign(new DeviceState("bat", "bat@d", {}), { presence: "online", fullJid: "bat@d/x" });
    d.put(storageReg);
    expect(d.controllable).toBe(true);
    d.put(revoke);
    expect(d.revoked).toBe(true);
    expect(d.latest("StorageRegistration")).toBeUndefined();
    expect(d.latest("FlexibilityRevoke")).toBeDefined();
    expect(d.controllable).toBe(false);
    d.retract("FlexibilityRevoke");
    expect(d.latest("StorageRegistration")).toEqual(storageReg);
  });

  it("keeps the newest sample of each name; EFI Measurements give 'power'", () => {
    const d = new DeviceState("m", "m@d", {});
    d.put(measurement(500, "2026-11-22T10:00:05Z"));
    expect(d.sample("power")).toEqual({ v: 500, u: "W", t: Date.parse("2026-11-22T10:00:05Z") });
    d.record([{ n: "power", v: 700, u: "W", t: Date.parse("2026-11-22T10:00:01Z") }]);
    expect(d.sample("power")!.v).toBe(500);
    d.record([{ n: "power", v: 900, u: "W", t: Date.parse("2026-11-22T10:00:09Z") }, { n: "1-0:32.7.0", v: 231, u: "V", t: 0 }]);
    expect(d.sample("power")!.v).toBe(900);
    expect(d.sample("1-0:32.7.0")!.u).toBe("V");
  });

  it("replaces everything it knew when the node is read again", () => {
    const d = new DeviceState("bat", "bat@d", {});
    d.put(storageReg);
    d.put(revoke);
    d.replaceItems([adjustableReg]);
    expect(d.revoked).toBe(false);
    expect(d.items).toEqual([adjustableReg]);
  });
});
