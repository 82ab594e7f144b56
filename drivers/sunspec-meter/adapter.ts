// Reads a SunSpec meter (model 1 + one of 201-204) into a MeterState.
import type { ModbusLink } from "../modbus/index.ts";
import {
  COMMON, decodeModel, DeviceDataError, discover, Discovered, findModel, METER, parseState, readModel, readNameplate, type ModelLocation,
} from "../sunspec/index.ts";
import type { MeterConfig } from "./config.ts";
import { MeterStateSchema, type MeterState } from "./state.ts";

/** Phases a meter model has: 201 one, 202 two, 203/204 three. */
const PHASES: Record<number, number> = { 201: 1, 202: 2, 203: 3, 204: 3 };

export class SunSpecMeterAdapter {
  readonly #found = new Discovered(() => this.#discover());

  constructor(private readonly link: ModbusLink, private readonly cfg: MeterConfig) {}

  read(): Promise<MeterState> {
    return this.#found.read(async (f) => this.#parse(f.meter.id, f.nameplate, decodeModel(METER, await readModel(this.link, f.meter))));
  }

  async #discover(): Promise<{ meter: ModelLocation; nameplate: MeterState["nameplate"] }> {
    const map = await discover(this.link, this.cfg.sunspecBases);
    const common = findModel(map, COMMON.ids);
    const meter = findModel(map, METER.ids);
    if (!common || !meter) throw new DeviceDataError(`${this.link.where} is not a SunSpec meter: it needs models 1 and one of 201-204 (has ${map.models.map((m) => m.id).join(", ")})`);
    return { meter, nameplate: await readNameplate(this.link, common) };
  }

  #parse(modelId: number, nameplate: MeterState["nameplate"], m: ReturnType<typeof decodeModel<typeof METER>>): MeterState {
    // "+ 0" turns the -0 of a flipped 0 into 0.
    const imp = (v: number | undefined) => (v === undefined ? undefined : this.cfg.powerSign === "export-positive" ? -v + 0 : v);
    const legs = [["PhVphA", "AphA", "WphA"], ["PhVphB", "AphB", "WphB"], ["PhVphC", "AphC", "WphC"]] as const;
    const phases = legs.slice(0, PHASES[modelId]).map(([v, a, w]) => ({ voltageV: m[v], currentA: m[a], powerW: imp(m[w]) }));
    const [importWh, exportWh] = this.cfg.powerSign === "export-positive" ? [m.TotWhExp, m.TotWhImp] : [m.TotWhImp, m.TotWhExp];
    return parseState(MeterStateSchema, {
      nameplate, modelId, powerW: imp(m.W), phases, frequencyHz: m.Hz, importWh, exportWh, powerFactor: m.PF === undefined ? undefined : m.PF / 100,
    }, this.link.where);
  }
}
