// The battery driver: reports EFI Storage and telemetry, and turns steps into held commands.
import type { ControlStep } from "../../src/device/driver.ts";
import { formatDateTime, type EfiMessage } from "../../src/efi/index.ts";
import type { ModbusLink } from "../modbus/index.ts";
import { loadRegisterMap, SunSpecDriver, type Report } from "../sunspec/index.ts";
import { SunSpecBatteryAdapter, type BatteryAdapter } from "./adapter.ts";
import type { BatteryConfig } from "./config.ts";
import { RegisterMapBatteryAdapter } from "./map-adapter.ts";
import * as efi from "./mapping.ts";
import type { BatteryState } from "./state.ts";

export class BatteryDriver extends SunSpecDriver<BatteryConfig, BatteryState, BatteryAdapter> {
  readonly category = "storage";
  protected readonly noun = "battery";
  readonly #opts: efi.MappingOptions = { resourceId: this.ctx.resourceId, minModeSeconds: this.cfg.minModeSeconds, selfDischargePctPerDay: this.cfg.selfDischargePctPerDay };
  #track: efi.ModeTrack | undefined;
  #description: { id: string; since: Date } | undefined;

  async apply(step: ControlStep): Promise<void> {
    const cmd = efi.command(step, this.current());
    const what = `take '${cmd.mode}${cmd.mode === "idle" ? "" : ` at ${Math.round(cmd.powerW)} W`}'`;
    await this.hold(what, (a) => a.command(cmd, this.cfg.revertSeconds), this.cfg.revertSeconds);
  }

  async release(): Promise<void> {
    this.unhold();
    await this.send("take 'hand control back'", (a) => a.command({ mode: "auto", fraction: 0, powerW: 0 }, this.cfg.revertSeconds));
  }

  protected async connect(link: ModbusLink): Promise<BatteryAdapter> {
    const map = this.cfg.registerMapFile ? await loadRegisterMap(this.cfg.registerMapFile) : this.cfg.registerMap;
    return map ? new RegisterMapBatteryAdapter(link, map) : new SunSpecBatteryAdapter(link, this.cfg);
  }

  protected report(s: BatteryState, now: Date, announce: boolean): Report {
    let sd = efi.systemDescription(s, this.#opts, now, this.#description?.since);
    const changed = sd.flexibilityUpdateId !== this.#description?.id;
    if (changed) {
      this.#description = { id: sd.flexibilityUpdateId, since: now };
      sd = { ...sd, validFrom: formatDateTime(now.getTime()) };
    }
    this.#track = efi.trackMode(this.#track, efi.currentMode(s).mode, now.getTime());
    const messages: EfiMessage[] = [];
    if (announce) messages.push(efi.registration(s, this.#opts, now));
    if (announce || changed) messages.push(sd);
    messages.push(efi.status(s, this.#opts, this.#track, now));
    const m = efi.measurement(s, this.#opts, now);
    if (m) messages.push(m);
    return { identity: efi.identity(s), messages, telemetry: efi.telemetry(s) };
  }
}
