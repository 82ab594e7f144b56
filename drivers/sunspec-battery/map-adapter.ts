// A battery described by a register map instead of SunSpec.
import { ModbusLink } from "../modbus/index.ts";
import { decodeMapPoint, encodeMapPoint, parseState, planReads, words, type MapPoint, type RegisterMap } from "../sunspec/index.ts";
import type { BatteryAdapter } from "./adapter.ts";
import { BatteryStateSchema, type BatteryCommand, type BatteryState, type Control } from "./state.ts";

export class RegisterMapBatteryAdapter implements BatteryAdapter {
  readonly #reads: MapPoint[];

  constructor(private readonly link: ModbusLink, private readonly map: RegisterMap) {
    const p = map.points;
    this.#reads = [p.soc, p.power, p.capacityWh, p.maxChargeW, p.maxDischargeW, p.mode, p.chargeSetpointW, p.dischargeSetpointW]
      .filter((x): x is MapPoint => x !== undefined && x.access !== "write");
  }

  async read(): Promise<BatteryState> {
    const regs = new Map<number, number>();
    for (const b of planReads(this.#reads)) (await this.link.readHoldingRegisters(b.address, b.count)).forEach((v, i) => regs.set(b.address + i, v));
    const value = (p: MapPoint | undefined) => {
      if (!p || p.access === "write") return undefined;
      return decodeMapPoint(p, Array.from({ length: words(p) }, (_, i) => regs.get(p.address + i)!));
    };
    const { points: p, nameplate: n } = this.map;
    const power = value(p.power);
    return parseState(BatteryStateSchema, {
      nameplate: { manufacturer: n.manufacturer ?? "unknown", model: n.model ?? this.map.name ?? "unknown", serialNumber: n.serialNumber },
      socPct: value(p.soc),
      powerW: power !== undefined && this.map.powerSign === "discharge-positive" ? -power + 0 : power,
      capacityWh: value(p.capacityWh) ?? n.capacityWh,
      maxChargeW: value(p.maxChargeW) ?? n.maxChargeW,
      maxDischargeW: value(p.maxDischargeW) ?? n.maxDischargeW,
      control: this.#control(value(p.mode), value(p.chargeSetpointW), value(p.dischargeSetpointW), value(p.maxChargeW) ?? n.maxChargeW, value(p.maxDischargeW) ?? n.maxDischargeW),
      reserve: {},
    }, this.link.where);
  }

  #control(mode: number | undefined, chargeW = 0, dischargeW = 0, maxCharge = 1, maxDischarge = 1): Control | undefined {
    if (mode === undefined) return undefined;
    const v = this.map.points.mode.values;
    const pct = (w: number, max: number) => Math.min(100, Math.max(0, (w / max) * 100));
    if (mode === v.charge) return { mode: "charge", ratePct: pct(chargeW, maxCharge) };
    if (mode === v.discharge) return { mode: "discharge", ratePct: pct(dischargeW, maxDischarge) };
    if (mode === v.idle) return { mode: "idle", ratePct: 0 };
    return { mode: "auto", ratePct: 0 };
  }

  /** Register maps have no revert timeout; the driver's re-writes keep the setting fresh all the same. */
  async command(cmd: BatteryCommand): Promise<void> {
    const p = this.map.points;
    if (cmd.mode === "charge") await this.link.writeRegisters(p.chargeSetpointW.address, encodeMapPoint("chargeSetpointW", p.chargeSetpointW, cmd.powerW));
    if (cmd.mode === "discharge") await this.link.writeRegisters(p.dischargeSetpointW.address, encodeMapPoint("dischargeSetpointW", p.dischargeSetpointW, cmd.powerW));
    await this.link.writeRegisters(p.mode.address, encodeMapPoint("mode", p.mode, p.mode.values[cmd.mode]));
  }
}
