import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ModbusException, ModbusLink, ModbusTcpServer, RegisterImage } from "../modbus/index.ts";
import { SunSpecImage } from "./builder.ts";
import { decodeModel, decodeRaw, encodeValue, scale } from "./codec.ts";
import { discover, findModel, readModel } from "./discovery.ts";
import { BATTERY, COMMON, METER, MODELS, STORAGE } from "./models.ts";
import { pointSize, type ModelDef } from "./points.ts";
import { decodeMapPoint, encodeMapPoint, loadRegisterMap, parseRegisterMap, planReads, RegisterMapSchema } from "./register-map.ts";

describe("SunSpec model tables", () => {
  it("place every point inside its model, none overlapping, each scale factor present", () => {
    for (const def of MODELS as readonly ModelDef[]) {
      const used = new Map<number, string>();
      for (const [name, p] of Object.entries(def.points)) {
        expect(p.offset + pointSize(p), `${def.name}.${name}`).toBeLessThanOrEqual(def.length + 2);
        for (let r = p.offset; r < p.offset + pointSize(p); r++) {
          expect(used.get(r), `${def.name}.${name} overlaps`).toBeUndefined();
          used.set(r, name);
        }
        if (p.sf) expect(def.points[p.sf], `${def.name}.${name}'s ${p.sf}`).toMatchObject({ type: "sunssf" });
      }
    }
  });
});

describe("SunSpec codec", () => {
  it("scales without binary noise", () => {
    expect(scale(553, -1)).toBe(55.3);
    expect(scale(5530, -2)).toBe(55.3);
    expect(scale(12, 2)).toBe(1200);
    expect(encodeValue("ChaState", STORAGE.points.ChaState, 55.3, -1)).toEqual([553]);
    expect(encodeValue("WChaMax", STORAGE.points.WChaMax, 5000, 1)).toEqual([500]);
  });

  it("reads not-implemented markers as undefined, per type", () => {
    expect(decodeRaw("int16", [0x8000])).toBeUndefined();
    expect(decodeRaw("int16", [0xfffe])).toBe(-2);
    expect(decodeRaw("sunssf", [0x8000])).toBeUndefined();
    expect(decodeRaw("uint16", [0xffff])).toBeUndefined();
    expect(decodeRaw("enum16", [0xffff])).toBeUndefined();
    expect(decodeRaw("bitfield16", [0xffff])).toBeUndefined();
    expect(decodeRaw("acc16", [0])).toBeUndefined();
    expect(decodeRaw("int32", [0x8000, 0])).toBeUndefined();
    expect(decodeRaw("int32", [0xffff, 0xfffe])).toBe(-2);
    expect(decodeRaw("uint32", [0xffff, 0xffff])).toBeUndefined();
    expect(decodeRaw("uint32", [1, 2])).toBe(65538);
    expect(decodeRaw("acc32", [0, 0])).toBeUndefined();
    expect(decodeRaw("float32", [0x7fc0, 0])).toBeUndefined();
    expect(decodeRaw("float32", [0x4048, 0xf5c3])).toBeCloseTo(3.14, 5);
    expect(decodeRaw("string", [0, 0])).toBeUndefined();
    expect(decodeRaw("string", [0x4142, 0x4300, 0x5858])).toBe("ABC");
  });

  it("makes a value unreadable when its scale factor is not implemented", () => {
    const image = new SunSpecImage(new RegisterImage()).add(STORAGE, 124, { WChaMax: 5000, WChaMax_SF: 0 });
    expect(image.get(124, "WChaMax")).toBe(5000);
    image.clear(124, "WChaMax_SF");
    expect(image.get(124, "WChaMax")).toBeUndefined();
  });

  it("refuses values that do not fit, and the not-implemented markers themselves", () => {
    expect(() => encodeValue("InWRte", STORAGE.points.InWRte, 400, -2)).toThrow(/InWRte: 400 \(raw 40000 with SF -2\) does not fit int16/);
    expect(() => encodeValue("WChaMax", STORAGE.points.WChaMax, 65535, 0)).toThrow(/does not fit uint16/);
    expect(encodeValue("InWRte", STORAGE.points.InWRte, -50, 0)).toEqual([0xffce]);
    expect(() => encodeValue("SN", COMMON.points.SN, "x".repeat(33))).toThrow(/longer than 32 bytes/);
  });

  it("writes and reads every point of a model by name", () => {
    const image = new SunSpecImage(new RegisterImage()).add(METER, 203, {
      W: -1234, W_SF: 0, PhVphA: 230.1, V_SF: -1, TotWhImp: 15894000, TotWhExp: 0, TotWh_SF: 0, Hz: 50, Hz_SF: -2,
    });
    const values = decodeModel(METER, image.image.read(image.models[0]!.address, METER.length + 2));
    expect(values).toMatchObject({ W: -1234, PhVphA: 230.1, TotWhImp: 15894000, Hz: 50 });
    expect(values.TotWhExp).toBeUndefined(); // acc32 0 = not accumulated
    expect(values.PhVphB).toBeUndefined();
    expect(values.A).toBeUndefined(); // A_SF not given: points without a value stay not implemented
  });
});

/** A device that has registers only around its SunSpec base: elsewhere, exception 2. */
class Windowed extends RegisterImage {
  constructor(private readonly from: number, private readonly to: number) {
    super();
  }
  override read(address: number, count: number): number[] {
    if (address < this.from || address + count > this.to) throw new ModbusException(2);
    return super.read(address, count);
  }
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function device(base: number, windowed: boolean) {
  const bank = windowed ? new Windowed(base, base + 1000) : new RegisterImage();
  const image = new SunSpecImage(bank, base)
    .add(COMMON, 1, { Mn: "flexfed", Md: "SimBattery 10", SN: "SB10-0001" })
    .add(STORAGE, 124, { WChaMax: 5000, WChaMax_SF: 0, ChaState: 55.3, ChaState_SF: -1, InOutWRte_SF: -2, StorCtl_Mod: 0 })
    .add(BATTERY, 802, { WHRtg: 10000, WHRtg_SF: 1, SoC: 55.3, SoC_SF: -1 });
  const server = new ModbusTcpServer(bank);
  const { host, port } = await server.start();
  const link = new ModbusLink({ transport: { type: "tcp", host, port }, unitId: 1, timeoutMs: 500 });
  stops.push(() => link.close(), () => server.stop());
  return { image, link };
}

describe("SunSpec discovery over Modbus TCP", () => {
  for (const [base, windowed] of [[40000, false], [0, true], [50000, false], [50000, true]] as const) {
    it(`finds the marker at ${base}${windowed ? " (other addresses refused)" : ""} and walks the model chain`, async () => {
      const { link, image } = await device(base, windowed);
      const map = await discover(link);
      expect(map.base).toBe(base);
      expect(map.models.map((m) => [m.id, m.length])).toEqual([[1, 66], [124, 24], [802, 62]]);
      expect(map.models.map((m) => m.address)).toEqual(image.models.map((m) => m.address));
      const storage = decodeModel(STORAGE, await readModel(link, findModel(map, [124])!));
      expect(storage.ChaState).toBe(55.3);
      expect(storage.WChaMax).toBe(5000);
      expect(storage.MinRsvPct).toBeUndefined();
      const common = decodeModel(COMMON, await readModel(link, findModel(map, [1])!));
      expect(common).toMatchObject({ Mn: "flexfed", Md: "SimBattery 10", SN: "SB10-0001" });
      expect(decodeModel(BATTERY, await readModel(link, findModel(map, [802])!)).WHRtg).toBe(10000);
    });
  }

  it("reads a long model in chunks of at most 125 registers", async () => {
    const reads: number[] = [];
    const bank = new RegisterImage();
    const image = new SunSpecImage(bank).add(METER, 203, { TotWh_SF: 0, TotWhImp: 42 });
    const loc = image.models[0]!;
    const block = await readModel({ where: "test", readHoldingRegisters: async (a, n) => (reads.push(n), bank.read(a, n)) }, { ...loc, length: 200 });
    expect(reads).toEqual([125, 77]);
    expect(decodeModel(METER, block).TotWhImp).toBe(42);
  });

  it("says so when there is no SunSpec device", async () => {
    const server = new ModbusTcpServer(new RegisterImage());
    const { host, port } = await server.start();
    const link = new ModbusLink({ transport: { type: "tcp", host, port }, unitId: 1, timeoutMs: 500 });
    stops.push(() => link.close(), () => server.stop());
    await expect(discover(link)).rejects.toThrow(`no SunSpec device at 127.0.0.1:${port} unit 1: no 'SunS' marker at 40000, 0, 50000`);
  });
});

const MAP = {
  name: "Acme ESS",
  nameplate: { manufacturer: "Acme", capacityWh: 9600 },
  powerSign: "discharge-positive",
  points: {
    soc: { address: 100, scale: 0.1, unit: "%" },
    power: { address: 101, type: "int32", wordOrder: "little", unit: "W" },
    maxChargeW: { address: 103 },
    maxDischargeW: { address: 104 },
    mode: { address: 200, values: { auto: 0, charge: 1, idle: 2, discharge: 3 } },
    chargeSetpointW: { address: 201 },
    dischargeSetpointW: { address: 202 },
  },
};

describe("register maps", () => {
  it("parses with defaults and decodes/encodes in the declared types and word order", () => {
    const map = parseRegisterMap(MAP);
    expect(map.points.soc).toMatchObject({ type: "uint16", access: "read", wordOrder: "big" });
    expect(decodeMapPoint(map.points.soc, [553])).toBeCloseTo(55.3, 10);
    const regs = encodeMapPoint("power", map.points.power, -2500);
    expect(regs).toEqual([0xf63c, 0xffff]); // low word first
    expect(decodeMapPoint(map.points.power, regs)).toBe(-2500);
    expect(() => encodeMapPoint("chargeSetpointW", map.points.chargeSetpointW, 70000)).toThrow(/chargeSetpointW: 70000 does not fit uint16/);
    expect(planReads([map.points.soc, map.points.power, map.points.maxChargeW!, map.points.maxDischargeW!, map.points.mode])).toEqual([
      { address: 100, count: 5 },
      { address: 200, count: 1 },
    ]);
  });

  it("names the path of every mistake", () => {
    const bad = structuredClone(MAP) as Record<string, any>;
    bad.points.soc.address = 70000;
    bad.points.power.type = "int64";
    delete bad.nameplate.capacityWh;
    delete bad.points.mode.values.idle;
    expect(() => parseRegisterMap(bad)).toThrow(/points\.soc\.address: must be 0\.\.65535/);
    const issues = RegisterMapSchema.safeParse(bad).error!.issues.map((i) => i.path.join("."));
    expect(issues).toEqual(expect.arrayContaining(["points.soc.address", "points.power.type", "points.mode.values.idle"]));
    const noCap = structuredClone(MAP) as Record<string, any>;
    delete noCap.nameplate.capacityWh;
    expect(() => parseRegisterMap(noCap)).toThrow("register map: points.capacityWh: needs a register, or nameplate.capacityWh");
  });

  it("loads from a file and says which file is wrong", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "regmap-"));
    try {
      const good = path.join(dir, "good.json");
      writeFileSync(good, JSON.stringify(MAP));
      expect((await loadRegisterMap(good)).points.mode.values.discharge).toBe(3);
      const broken = path.join(dir, "broken.json");
      writeFileSync(broken, "{ nope");
      await expect(loadRegisterMap(broken)).rejects.toThrow(`register map ${broken}: not JSON`);
      await expect(loadRegisterMap(path.join(dir, "missing.json"))).rejects.toThrow(/cannot read it \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
