import { describe, expect, it } from "vitest";
import type { Logger } from "../../src/log/index.ts";
import { DsmrP1ConfigSchema, serialSettings, staleAfterMs } from "./config.ts";
import { SAGEMCOM_T210_D, V2_2, V5 } from "./fixtures.ts";
import { TelegramReader } from "./reader.ts";

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = () => {};
  return { warnings, debug: ignore, info: ignore, error: ignore, warn: (msg) => warnings.push(msg) };
}

const tampered = V5.replace("1-0:1.7.0(00.244*kW)", "1-0:1.7.0(00.245*kW)");

describe("TelegramReader", () => {
  it("drops a telegram whose CRC does not match, counts every one and logs only the first", () => {
    const log = recordingLog();
    const reader = new TelegramReader({ crcRequired: true, log });
    expect(reader.push(tampered + tampered)).toEqual([]);
    const [good] = reader.push(V5);
    expect(good?.registers["1-0:1.7.0"]).toBe(244);
    expect(reader.counters).toEqual({ telegrams: 1, crcErrors: 2, parseErrors: 0 });
    expect(log.warnings).toEqual(["P1 telegram dropped: CRC 6EEE does not match the telegram (A813) (further ones are only counted)"]);
  });

  it("counts content that does not parse apart from CRC errors", () => {
    const reader = new TelegramReader({ crcRequired: false, log: recordingLog() });
    const badUnit = V2_2.replace("1-0:1.7.0(0001.01*kW)", "1-0:1.7.0(0001.01*MW)");
    expect(reader.push(badUnit)).toEqual([]);
    expect(reader.counters).toEqual({ telegrams: 0, crcErrors: 0, parseErrors: 1 });
    expect(reader.lastError).toBe("registers.1-0:1.7.0: unit 'MW' is not one of W, kW");
  });

  it("accepts DSMR 2.2 telegrams without CRC only when configured for them, and still checks a CRC that is there", () => {
    const strict = new TelegramReader({ crcRequired: true, log: recordingLog() });
    expect(strict.push(V2_2)).toEqual([]);
    expect(strict.counters.crcErrors).toBe(1);
    const lenient = new TelegramReader({ crcRequired: false, log: recordingLog() });
    expect(lenient.push(V2_2 + SAGEMCOM_T210_D + tampered)).toHaveLength(2);
    expect(lenient.counters).toEqual({ telegrams: 2, crcErrors: 1, parseErrors: 0 });
  });
});

describe("configuration", () => {
  it("picks the serial settings of the protocol, each overridable", () => {
    const dsmr5 = DsmrP1ConfigSchema.parse({ path: "/dev/ttyUSB0" });
    expect(serialSettings(dsmr5)).toEqual({ baudRate: 115200, dataBits: 8, parity: "none", stopBits: 1 });
    const dsmr22 = DsmrP1ConfigSchema.parse({ path: "/dev/ttyUSB0", protocol: "dsmr22", serial: { baudRate: 19200 } });
    expect(serialSettings(dsmr22)).toEqual({ baudRate: 19200, dataBits: 7, parity: "even", stopBits: 1 });
  });

  it("derives the loss timeout from the telegram interval the meter's version implies, unless configured", () => {
    const dsmr5 = DsmrP1ConfigSchema.parse({ path: "/dev/ttyUSB0" });
    expect(staleAfterMs(dsmr5)).toBe(10_000);
    expect(staleAfterMs(dsmr5, "42")).toBe(100_000);
    expect(staleAfterMs(DsmrP1ConfigSchema.parse({ path: "/dev/ttyUSB0", protocol: "dsmr22" }))).toBe(100_000);
    expect(staleAfterMs(DsmrP1ConfigSchema.parse({ path: "/dev/ttyUSB0", staleAfterSeconds: 3 }), "50")).toBe(3_000);
  });

  it("refuses unknown protocols and fields, naming them", () => {
    expect(DsmrP1ConfigSchema.safeParse({ path: "/dev/ttyUSB0", protocol: "dsmr4" }).error?.issues[0]?.path).toEqual(["protocol"]);
    expect(DsmrP1ConfigSchema.safeParse({ path: "/dev/ttyUSB0", baud: 9600 }).success).toBe(false);
    expect(DsmrP1ConfigSchema.safeParse({ path: "/dev/ttyUSB0", serial: { dataBits: 9 } }).error?.issues[0]?.path).toEqual(["serial", "dataBits"]);
  });
});
