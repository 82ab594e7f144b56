import { describe, expect, it } from "vitest";
import { crc16arc, telegramCrc } from "./crc.ts";
import { GAS_CHANNEL_2, SAGEMCOM_T210_D, SINGLE_PHASE, V2_2, V5 } from "./fixtures.ts";
import { TelegramFramer } from "./framer.ts";
import { parseTelegram, P1ParseError } from "./telegram.ts";
import { formatP1Timestamp, parseP1Timestamp } from "./timestamp.ts";

const body = (telegram: string) => telegram.slice(0, telegram.indexOf("!") + 1);

describe("CRC-16/ARC", () => {
  it("matches the check value of the algorithm and the meters' own CRCs", () => {
    expect(crc16arc(Buffer.from("123456789"))).toBe(0xbb3d);
    expect(telegramCrc(body(V5))).toBe("6EEE");
    expect(telegramCrc(body(SAGEMCOM_T210_D))).toBe("7EF9");
  });

  it("changes when one digit of the telegram changes", () => {
    expect(telegramCrc(body(V5).replace("1-0:1.7.0(00.244*kW)", "1-0:1.7.0(00.245*kW)"))).not.toBe("6EEE");
  });
});

describe("framing", () => {
  it("reassembles telegrams split anywhere, skipping garbage before the '/'", () => {
    const stream = Buffer.from(`\x00noise!12\r\n${V5}garbage${SAGEMCOM_T210_D}`, "latin1");
    const framer = new TelegramFramer();
    const frames = [];
    for (let i = 0; i < stream.length; i += 7) frames.push(...framer.push(stream.subarray(i, i + 7)));
    expect(frames).toEqual([
      { ok: true, body: body(V5), crc: "6EEE" },
      { ok: true, body: body(SAGEMCOM_T210_D), crc: "7EF9" },
    ]);
  });

  it("waits for the end of the CRC line before delivering", () => {
    const framer = new TelegramFramer();
    expect(framer.push(V5.slice(0, -3))).toEqual([]);
    expect(framer.push(V5.slice(-3))).toHaveLength(1);
  });

  it("frames a DSMR 2.2 telegram with an empty CRC", () => {
    expect(new TelegramFramer().push(V2_2)).toEqual([{ ok: true, body: body(V2_2), crc: "" }]);
  });

  it("drops an oversize frame without '!' and a telegram cut off by the next one, and keeps going", () => {
    const framer = new TelegramFramer(1024);
    const oversize = framer.push(`/XYZ5 endless\r\n${"1-0:1.7.0(00.100*kW)\r\n".repeat(60)}`);
    expect(oversize).toEqual([{ ok: false, reason: "no complete telegram within 1024 bytes after a '/'" }]);
    const next = framer.push(`${V5.slice(0, 200)}${V5}`);
    expect(next).toEqual([{ ok: false, reason: "telegram cut off by the start of the next one" }, { ok: true, body: body(V5), crc: "6EEE" }]);
  });
});

describe("timestamps", () => {
  it("reads W as CET (UTC+1) and S as CEST (UTC+2)", () => {
    expect(parseP1Timestamp("170102192002W")?.toISOString()).toBe("2017-01-02T18:20:02.000Z");
    expect(parseP1Timestamp("221006155014S")?.toISOString()).toBe("2022-10-06T13:50:14.000Z");
  });

  it("tells the repeated hour of the autumn change apart by its letter", () => {
    expect(parseP1Timestamp("241027023000S")?.toISOString()).toBe("2024-10-27T00:30:00.000Z");
    expect(parseP1Timestamp("241027023000W")?.toISOString()).toBe("2024-10-27T01:30:00.000Z");
  });

  it("refuses what is not a timestamp", () => {
    for (const bad of ["170230120000W", "171302120000W", "170102250000W", "170102192002", "170102192002X", "1701021920W"]) {
      expect(parseP1Timestamp(bad), bad).toBeUndefined();
    }
  });

  it("writes Dutch local time with the right letter around both changes", () => {
    expect(formatP1Timestamp(new Date("2024-10-27T00:30:00Z"))).toBe("241027023000S");
    expect(formatP1Timestamp(new Date("2024-10-27T01:30:00Z"))).toBe("241027023000W");
    expect(formatP1Timestamp(new Date("2024-03-31T00:59:59Z"))).toBe("240331015959W");
    expect(formatP1Timestamp(new Date("2024-03-31T01:00:00Z"))).toBe("240331030000S");
  });
});

describe("parsing", () => {
  it("reads every value of a DSMR 5 telegram, normalised to W, Wh, V, A and m3", () => {
    const t = parseTelegram(body(V5));
    expect(t.header).toBe("ISk5\\2MT382-1000");
    expect(t.version).toBe("50");
    expect(t.timestamp?.toISOString()).toBe("2017-01-02T18:20:02.000Z");
    expect(t.equipmentId).toBe("4B384547303034303436333935353037");
    expect(t.tariff).toBe(2);
    expect(t.registers).toEqual({
      "1-0:1.7.0": 244, "1-0:2.7.0": 0,
      "1-0:21.7.0": 70, "1-0:41.7.0": 32, "1-0:61.7.0": 142,
      "1-0:22.7.0": 0, "1-0:42.7.0": 0, "1-0:62.7.0": 0,
      "1-0:32.7.0": 230, "1-0:52.7.0": 230, "1-0:72.7.0": 229,
      "1-0:31.7.0": 0.48, "1-0:51.7.0": 0.44, "1-0:71.7.0": 0.86,
      "1-0:1.8.1": 4426, "1-0:1.8.2": 2399, "1-0:2.8.1": 2444, "1-0:2.8.2": 0,
    });
    expect(t.gas).toEqual({ channel: 1, timestamp: new Date("2017-01-02T15:10:05Z"), volume: 0.107 });
    // Objects flexfed does not read are kept as sent.
    expect(t.objects["0-0:96.7.21"]).toEqual(["00013"]);
    expect(t.objects["1-0:99.97.0"]).toEqual(["0", "0-0:96.7.19"]);
  });

  it("reads W and Wh as sent by a Sagemcom T210-D, totals included, reactive registers raw", () => {
    const t = parseTelegram(body(SAGEMCOM_T210_D));
    expect(t.timestamp?.toISOString()).toBe("2022-10-06T13:50:14.000Z");
    expect(t.registers).toEqual({
      "1-0:1.7.0": 286, "1-0:2.7.0": 0,
      "1-0:1.8.0": 6545766, "1-0:1.8.1": 5017120, "1-0:1.8.2": 1528646,
      "1-0:2.8.0": 58, "1-0:2.8.1": 0, "1-0:2.8.2": 58,
    });
    expect(t.objects["1-0:3.8.0"]).toEqual(["000000747*varh"]);
    expect(t.gas).toBeUndefined();
  });

  it("reads a single-phase meter's L1 values only", () => {
    const t = parseTelegram(body(SINGLE_PHASE));
    expect(t.registers).toMatchObject({ "1-0:1.7.0": 0, "1-0:2.7.0": 1830, "1-0:32.7.0": 236.1, "1-0:31.7.0": 7, "1-0:22.7.0": 1830, "1-0:2.8.2": 234567 });
    expect(Object.keys(t.registers).filter((c) => /:(4|5|6|7)\d\.7\.0$/.test(c))).toEqual([]);
    expect(t.tariff).toBe(1);
    expect(t.timestamp?.toISOString()).toBe("2024-07-15T12:30:12.000Z");
  });

  it("takes gas from the channel whose device type is gas, not the water meter on channel 1", () => {
    const t = parseTelegram(body(GAS_CHANNEL_2));
    expect(t.gas).toEqual({ channel: 2, timestamp: new Date("2025-03-30T10:10:00Z"), volume: 2345.678 });
  });

  it("reads a DSMR 2.2 telegram: no version, no timestamp, its two-line gas object ignored", () => {
    const t = parseTelegram(body(V2_2));
    expect(t.version).toBeUndefined();
    expect(t.timestamp).toBeUndefined();
    expect(t.registers).toEqual({ "1-0:1.7.0": 1010, "1-0:2.7.0": 0, "1-0:1.8.1": 1001, "1-0:1.8.2": 1001, "1-0:2.8.1": 1001, "1-0:2.8.2": 1001 });
    expect(t.gas).toBeUndefined();
  });

  it("rejects an unknown unit, a value without unit and a bad timestamp, naming the object", () => {
    const bad = (from: string, to: string) => () => parseTelegram(body(V5).replace(from, to));
    expect(bad("1-0:1.7.0(00.244*kW)", "1-0:1.7.0(00.244*MW)")).toThrow(new P1ParseError("registers.1-0:1.7.0: unit 'MW' is not one of W, kW"));
    expect(bad("1-0:1.8.1(000004.426*kWh)", "1-0:1.8.1(000004.426*kW)")).toThrow(/1-0:1\.8\.1: unit 'kW' is not one of Wh, kWh/);
    expect(bad("1-0:32.7.0(0230.0*V)", "1-0:32.7.0(0230.0)")).toThrow(/1-0:32\.7\.0: '0230\.0' is not a number with a unit/);
    expect(bad("0-0:1.0.0(170102192002W)", "0-0:1.0.0(170102192002)")).toThrow(/timestamp: '170102192002' is not a P1 timestamp/);
    expect(bad("(00000.107*m3)", "(00000.107*l)")).toThrow(/gas\.volume: unit 'l' is not one of m3/);
  });
});
