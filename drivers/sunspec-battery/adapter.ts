// The I/O half of the driver: reads the battery into a BatteryState and writes commands. Two
// kinds: SunSpec (models 1, 124, 802, and a meter 201-204 when present) and register maps.
import type { ModbusLink } from "../modbus/index.ts";
import {
  BATTERY, COMMON, decodeModel, decodePoint, DeviceDataError, discover, Discovered, encodeValue, findModel, METER, parseState, readModel,
  readNameplate, STORAGE, type ModelLocation, type SunSpecMap,
} from "../sunspec/index.ts";
import type { BatteryConfig } from "./config.ts";
import { BatteryStateSchema, CHARGE_STATUS, type BatteryCommand, type BatteryState, type Control } from "./state.ts";

export interface BatteryAdapter {
  read(): Promise<BatteryState>;
  /** Holds the battery in a mode; `revertSeconds` after the last such write it falls back to its own behaviour. */
  command(cmd: BatteryCommand, revertSeconds: number): Promise<void>;
}

/** StorCtl_Mod bits: 0 charge, 1 discharge. */
const CHARGE = 1;
const DISCHARGE = 2;

export function controlFrom(storCtlMod: number | undefined, inPct: number | undefined, outPct: number | undefined): Control | undefined {
  if (storCtlMod === undefined) return undefined;
  const mode = storCtlMod & (CHARGE | DISCHARGE);
  if (mode === CHARGE) return { mode: "charge", ratePct: clampPct(inPct) };
  if (mode === DISCHARGE) return { mode: "discharge", ratePct: clampPct(outPct) };
  if (mode === (CHARGE | DISCHARGE) && !inPct && !outPct) return { mode: "idle", ratePct: 0 };
  return { mode: "auto", ratePct: 0 };
}

const clampPct = (v: number | undefined) => Math.min(100, Math.max(0, v ?? 0));

interface Found {
  map: SunSpecMap;
  storage?: ModelLocation;
  battery?: ModelLocation;
  meter?: ModelLocation;
  nameplate: BatteryState["nameplate"];
}

export class SunSpecBatteryAdapter implements BatteryAdapter {
  readonly #found = new Discovered(() => this.#discover());

  constructor(private readonly link: ModbusLink, private readonly cfg: BatteryConfig) {}

  read(): Promise<BatteryState> {
    return this.#found.read((f) => this.#read(f));
  }

  async #discover(): Promise<Found> {
    const map = await discover(this.link, this.cfg.sunspecBases);
    const common = findModel(map, COMMON.ids);
    const storage = findModel(map, STORAGE.ids);
    const battery = findModel(map, BATTERY.ids);
    if (!common) throw new DeviceDataError(`${this.link.where} has no SunSpec common model (1)`);
    if (!storage && !battery) throw new DeviceDataError(`${this.link.where} is not a SunSpec battery: it has neither model 124 nor 802 (models ${map.models.map((m) => m.id).join(", ")})`);
    return { map, storage, battery, meter: findModel(map, METER.ids), nameplate: await readNameplate(this.link, common) };
  }

  async #read(f: Found): Promise<BatteryState> {
    const s = f.storage && decodeModel(STORAGE, await readModel(this.link, f.storage));
    const b = f.battery && decodeModel(BATTERY, await readModel(this.link, f.battery));
    const m = f.meter && decodeModel(METER, await readModel(this.link, f.meter));
    // "+ 0" turns the -0 of a flipped 0 into 0.
    const charging = (v: number | undefined) => (v === undefined ? undefined : this.cfg.batteryPowerSign === "discharge-positive" ? -v + 0 : v);
    const chargeW = charging(b?.W) ?? m?.W;
    const maxChargeW = s?.WChaMax ?? b?.WChaRteMax;
    return parseState(BatteryStateSchema, {
      nameplate: f.nameplate,
      socPct: b?.SoC ?? s?.ChaState,
      powerW: chargeW,
      capacityWh: b?.WHRtg ?? this.cfg.capacityWh,
      maxChargeW,
      maxDischargeW: b?.WDisChaRteMax ?? maxChargeW,
      chargeStatus: CHARGE_STATUS[(b?.ChaSt ?? s?.ChaSt ?? 0) - 1],
      control: controlFrom(s?.StorCtl_Mod, s?.InWRte, s?.OutWRte),
      reserve: { minPct: b?.SoCRsvMin ?? s?.MinRsvPct, maxPct: b?.SocRsvMax },
      selfDischargePctPerDay: b?.DisChaRte,
      dcVoltageV: b?.V ?? s?.InBatV,
      dcCurrentA: charging(b?.A),
      ...(m ? { ac: { powerW: m.W, importWh: m.TotWhImp, exportWh: m.TotWhExp, frequencyHz: m.Hz } } : {}),
    }, this.link.where);
  }

  async command(cmd: BatteryCommand, revertSeconds: number): Promise<void> {
    const loc = (await this.#found.get()).storage;
    if (!loc) throw new DeviceDataError(`${this.link.where} has no storage control model (124): it cannot be controlled`);
    const block = await readModel(this.link, loc);
    const sf = (decodePoint(STORAGE, block, "InOutWRte_SF") as number | undefined) ?? 0;
    const pct = cmd.fraction * 100;
    const rates = [encodeValue("OutWRte", STORAGE.points.OutWRte, cmd.mode === "discharge" ? pct : 0, sf)[0]!, encodeValue("InWRte", STORAGE.points.InWRte, cmd.mode === "charge" ? pct : 0, sf)[0]!];
    const mod = { auto: 0, charge: CHARGE, discharge: DISCHARGE, idle: CHARGE | DISCHARGE }[cmd.mode];
    const at = (name: keyof typeof STORAGE.points) => loc.address + STORAGE.points[name].offset;
    // Rates and timeout first, the mode last: the device never runs a new mode at an old rate.
    if (cmd.mode !== "auto") {
      await this.link.writeRegisters(at("OutWRte"), rates);
      await this.link.writeRegisters(at("InOutWRte_RvrtTms"), [revertSeconds]);
    }
    await this.link.writeRegisters(at("StorCtl_Mod"), [mod]);
  }
}
