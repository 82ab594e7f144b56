import { afterEach, describe, expect, it } from "vitest";
import { SerialPortMock } from "serialport";
import { telegramCrc } from "./crc.ts";
import { TelegramFramer } from "./framer.ts";
import { simulatedBinding } from "./sim-binding.ts";
import { dutchTariff, householdProfile, P1Simulator, renderTelegram } from "./simulator.ts";
import { parseTelegram } from "./telegram.ts";

const ports: SerialPortMock[] = [];
afterEach(async () => {
  for (const p of ports.splice(0)) if (p.isOpen) await new Promise((r) => p.close(r));
});

/** A reader on the simulator's path, collecting what it receives. */
async function listen(path: string): Promise<{ received: () => string }> {
  // SerialPortMock uses serialport's own mock binding; the simulator writes through simulatedBinding's record of open ports.
  const port = new SerialPortMock({ path, baudRate: 115200, binding: simulatedBinding } as ConstructorParameters<typeof SerialPortMock>[0]);
  ports.push(port);
  await new Promise((resolve) => port.once("open", resolve));
  let data = "";
  port.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
  return { received: () => data };
}

describe("P1Simulator", () => {
  it("writes valid DSMR 5 telegrams whose values follow the profile", async () => {
    let now = new Date("2025-06-04T10:00:00Z"); // Wednesday 12:00 CEST
    const sim = new P1Simulator({ path: "/dev/flexfed-p1-sim-1", clock: () => now, equipmentId: "E1" });
    const reader = await listen(sim.path);
    sim.tick();
    now = new Date(now.getTime() + 1000);
    const second = sim.tick({ chunks: 4 });
    await expect.poll(() => reader.received().length).toBe(2 * second!.length);
    const frames = new TelegramFramer().push(reader.received());
    expect(frames).toHaveLength(2);
    for (const f of frames) expect(f.ok && f.crc === telegramCrc(f.body)).toBe(true);
    const t = parseTelegram(frames[1]!.ok ? frames[1]!.body : "");
    const { importW, exportW } = householdProfile(now);
    expect(t.registers["1-0:1.7.0"]).toBe(Math.round(importW[0] + importW[1] + importW[2]));
    expect(t.registers["1-0:2.7.0"]).toBe(Math.round(exportW[0] + exportW[1] + exportW[2]));
    expect(exportW[0]).toBeGreaterThan(0); // PV at noon
    expect(t.timestamp).toEqual(now);
    expect(t.tariff).toBe(2);
  });

  it("accumulates energy on the tariff of the moment: tariff 1 at night and at weekends", () => {
    expect(dutchTariff(new Date("2025-06-04T10:00:00Z"))).toBe(2);
    expect(dutchTariff(new Date("2025-06-04T21:30:00Z"))).toBe(1); // 23:30 CEST
    expect(dutchTariff(new Date("2025-06-07T10:00:00Z"))).toBe(1); // Saturday
    expect(dutchTariff(new Date("2025-01-15T05:59:00Z"))).toBe(1); // 06:59 CET
    expect(dutchTariff(new Date("2025-01-15T06:00:00Z"))).toBe(2);

    let now = new Date("2025-06-04T21:30:00Z"); // Wednesday 23:30 CEST
    const sim = new P1Simulator({
      path: "/dev/flexfed-p1-sim-2", clock: () => now, gas: null,
      profile: () => ({ importW: [3600, 0, 0], exportW: [0, 0, 1800] }),
    });
    sim.tick();
    now = new Date("2025-06-04T22:30:00Z"); // an hour later: 3.6 kWh drawn and 1.8 kWh fed in, on tariff 1
    sim.tick();
    expect(sim.state?.energyWh).toEqual({ deliveredT1: 3600, deliveredT2: 0, receivedT1: 1800, receivedT2: 0 });
    expect(sim.state?.gas).toBeUndefined();
  });

  it("reports gas every 5 minutes, not in between", () => {
    let now = new Date("2025-01-15T07:00:00Z"); // 08:00 CET, heating at 0.6 m3/h
    const sim = new P1Simulator({ path: "/dev/flexfed-p1-sim-3", clock: () => now, gasM3: 100 });
    sim.tick();
    now = new Date("2025-01-15T07:04:00Z");
    sim.tick();
    expect(sim.state?.gas).toEqual({ time: new Date("2025-01-15T07:00:00Z"), m3: 100 });
    now = new Date("2025-01-15T07:05:00Z");
    sim.tick();
    expect(sim.state?.gas?.time).toEqual(now);
    expect(sim.state?.gas?.m3).toBeCloseTo(100.05, 9);
  });

  it("writes nothing while silent or when nobody reads, and a corrupt telegram fails its CRC", async () => {
    const sim = new P1Simulator({ path: "/dev/flexfed-p1-sim-4" });
    expect(sim.tick()).toBeUndefined();
    await listen(sim.path);
    sim.silent = true;
    expect(sim.tick()).toBeUndefined();
    sim.silent = false;
    const [frame] = new TelegramFramer().push(sim.tick({ corrupt: true })!);
    expect(frame?.ok && frame.crc !== telegramCrc(frame.body)).toBe(true);
  });

  it("renders the energy registers and gas as a meter does", () => {
    const text = renderTelegram(
      {
        time: new Date("2025-01-15T09:00:00Z"),
        power: { importW: [244, 0, 0], exportW: [0, 0, 0], voltage: [230, 230, 229.5] },
        tariff: 2,
        energyWh: { deliveredT1: 4426.4, deliveredT2: 2399, receivedT1: 2444, receivedT2: 0 },
        gas: { time: new Date("2025-01-15T08:55:00Z"), m3: 0.107 },
      },
      "K8EG",
    );
    for (const line of ["0-0:1.0.0(250115100000W)", "0-0:96.1.1(4B384547)", "1-0:1.8.1(000004.426*kWh)", "1-0:1.7.0(00.244*kW)", "1-0:72.7.0(229.5*V)", "1-0:31.7.0(001*A)", "0-1:24.2.1(250115095500W)(00000.107*m3)", "0-0:96.14.0(0002)"]) {
      expect(text).toContain(`\r\n${line}\r\n`);
    }
  });
});
