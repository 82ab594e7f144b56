// The I/O half of the PV driver: reads a SunSpec inverter (models 1, 101-103, 120, and 123 or 704
// for control) into a PvState and writes its output limit.
import type { ModbusLink } from "../modbus/index.ts";
import {
  COMMON, CONTROLS, DER_CONTROLS, decodeModel, decodePoint, DeviceDataError, discover, Discovered, encodeValue, findModel, INVERTER, NAMEPLATE,
  parseState, readModel, readNameplate, type ModelLocation,
} from "../sunspec/index.ts";
import type { PvConfig } from "./config.ts";
import { INVERTER_STATUS, PvStateSchema, type PvState } from "./state.ts";

const PHASES: Record<number, number> = { 101: 1, 102: 2, 103: 3 };

interface Found {
  inverter: ModelLocation;
  nameplate: PvState["nameplate"];
  ratedW: number;
  control?: ModelLocation;
}

export class SunSpecPvAdapter {
  readonly #found = new Discovered(() => this.#discover());

  constructor(private readonly link: ModbusLink, private readonly cfg: PvConfig) {}

  read(): Promise<PvState> {
    return this.#found.read((f) => this.#read(f));
  }

  /**
   * Limits the output to `pct` % of the rating for `revertSeconds` (then the inverter lifts it by
   * itself), or lifts the limit (undefined). Value and timeout first, the enable last: the
   * inverter never enables an old value.
   */
  async limit(pct: number | undefined, revertSeconds: number): Promise<void> {
    const loc = (await this.#found.get()).control;
    if (!loc) throw new DeviceDataError(`${this.link.where} has no power limit control (model 123 or 704)`);
    if (loc.id === 123) {
      const at = (name: keyof typeof CONTROLS.points) => loc.address + CONTROLS.points[name].offset;
      if (pct !== undefined) {
        const sf = await this.#sf(CONTROLS, loc);
        await this.link.writeRegisters(at("WMaxLimPct"), encodeValue("WMaxLimPct", CONTROLS.points.WMaxLimPct, pct, sf));
        await this.link.writeRegisters(at("WMaxLimPct_RvrtTms"), [revertSeconds]);
      }
      await this.link.writeRegisters(at("WMaxLim_Ena"), [pct === undefined ? 0 : 1]);
      return;
    }
    const p = DER_CONTROLS.points;
    const at = (name: keyof typeof p) => loc.address + p[name].offset;
    if (pct !== undefined) {
      const sf = await this.#sf(DER_CONTROLS, loc);
      // Limit, then what to fall back to when the timer runs out (100 %, disabled), then the timer.
      await this.link.writeRegisters(at("WMaxLimPct"), [
        ...encodeValue("WMaxLimPct", p.WMaxLimPct, pct, sf), ...encodeValue("WMaxLimPctRvrt", p.WMaxLimPctRvrt, 100, sf), 0,
        ...encodeValue("WMaxLimPctRvrtTms", p.WMaxLimPctRvrtTms, revertSeconds),
      ]);
    }
    await this.link.writeRegisters(at("WMaxLimPctEna"), [pct === undefined ? 0 : 1]);
  }

  async #sf(def: typeof CONTROLS | typeof DER_CONTROLS, loc: ModelLocation): Promise<number> {
    return (decodePoint(def, await readModel(this.link, loc), "WMaxLimPct_SF") as number | undefined) ?? 0;
  }

  async #discover(): Promise<Found> {
    const map = await discover(this.link, this.cfg.sunspecBases);
    const common = findModel(map, COMMON.ids);
    const inverter = findModel(map, INVERTER.ids);
    const has = map.models.map((m) => m.id).join(", ");
    if (!common || !inverter) throw new DeviceDataError(`${this.link.where} is not a SunSpec inverter: it needs models 1 and one of 101-103 (has ${has})`);
    const nameplate = await readNameplate(this.link, common);
    const np = findModel(map, NAMEPLATE.ids);
    const ratedW = (np && decodeModel(NAMEPLATE, await readModel(this.link, np)).WRtg) ?? this.cfg.peakW;
    if (!ratedW) throw new DeviceDataError(`${this.link.where} has no nameplate (model 120, WRtg): configure peakW`);
    return {
      inverter, ratedW, nameplate,
      // 123 where both are, as it is the model most inverters in the field implement.
      control: findModel(map, CONTROLS.ids) ?? findModel(map, DER_CONTROLS.ids),
    };
  }

  async #read(f: Found): Promise<PvState> {
    const m = decodeModel(INVERTER, await readModel(this.link, f.inverter));
    const legs = [["PhVphA", "AphA"], ["PhVphB", "AphB"], ["PhVphC", "AphC"]] as const;
    return parseState(PvStateSchema, {
      nameplate: f.nameplate, modelId: f.inverter.id, ratedW: f.ratedW, outputW: m.W, energyWh: m.WH,
      phases: legs.slice(0, PHASES[f.inverter.id]).map(([v, a]) => ({ voltageV: m[v], currentA: m[a] })),
      frequencyHz: m.Hz, status: m.St === undefined ? undefined : INVERTER_STATUS[m.St - 1], limit: f.control && (await this.#limit(f.control)),
    }, this.link.where);
  }

  async #limit(loc: ModelLocation): Promise<PvState["limit"]> {
    if (loc.id === 123) {
      const c = decodeModel(CONTROLS, await readModel(this.link, loc));
      return { model: 123, enabled: c.WMaxLim_Ena === 1, pct: c.WMaxLimPct };
    }
    const c = decodeModel(DER_CONTROLS, await readModel(this.link, loc));
    return { model: 704, enabled: c.WMaxLimPctEna === 1, pct: c.WMaxLimPct };
  }
}
