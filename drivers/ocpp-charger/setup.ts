// What flexfed asks of a charge point once it has booted: it reads the configuration keys that
// decide how to limit charging (GetConfiguration), sets the meter values it needs
// (ChangeConfiguration), and triggers every connector's status, then its meter values
// (TriggerMessage), so their state is known without waiting for the charge point. A charge point
// that refuses a key or a trigger is logged and tolerated: flexfed works with what it does anyway.
import type { Logger } from "../../src/log/index.ts";
import { ChangeConfigurationConf, GetConfigurationConf, parse, RATE_UNITS, TriggerMessageConf, type RateUnit } from "./ocpp.ts";

/** What the charge point's configuration says; undefined where it does not say. */
export interface ChargePointConfiguration {
  /** ChargingScheduleAllowedChargingRateUnit, as profile units. */
  rateUnits?: RateUnit[];
  /** ChargeProfileMaxStackLevel. */
  maxStackLevel?: number;
}

export const KEYS = {
  rateUnits: "ChargingScheduleAllowedChargingRateUnit",
  maxStackLevel: "ChargeProfileMaxStackLevel",
  sampledData: "MeterValuesSampledData",
  sampleInterval: "MeterValueSampleInterval",
} as const;

/** The measurands flexfed needs besides those the charge point samples already: the register (session energy), power, the car's state of charge. */
export const MEASURANDS = ["Energy.Active.Import.Register", "Power.Active.Import", "SoC"];

const UNIT_NAMES: Record<RateUnit, string> = { A: "Current", W: "Power" };

/** A charge point that answers OCPP calls. */
export interface Caller {
  readonly id: string;
  call(method: string, params: unknown): Promise<unknown>;
}

const csl = (v: string | undefined) => v?.split(",").map((x) => x.trim()).filter(Boolean);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What a GetConfiguration answer says, and the ChangeConfigurations flexfed needs. Pure. */
export function plan(conf: GetConfigurationConf, meterIntervalSeconds: number): { configuration: ChargePointConfiguration; changes: [key: string, value: string][] } {
  const value = (key: string) => conf.configurationKey.find((k) => k.key === key)?.value;
  const units = csl(value(KEYS.rateUnits));
  const max = Number(value(KEYS.maxStackLevel) ?? Number.NaN);
  const configuration: ChargePointConfiguration = {
    ...(units ? { rateUnits: RATE_UNITS.filter((u) => units.includes(UNIT_NAMES[u])) } : {}),
    ...(Number.isInteger(max) && max >= 0 ? { maxStackLevel: max } : {}),
  };
  const changes: [string, string][] = [];
  if (value(KEYS.sampleInterval) !== String(meterIntervalSeconds)) changes.push([KEYS.sampleInterval, String(meterIntervalSeconds)]);
  const sampled = csl(value(KEYS.sampledData)) ?? [];
  const missing = MEASURANDS.filter((m) => !sampled.includes(m));
  if (missing.length) changes.push([KEYS.sampledData, [...sampled, ...missing].join(",")]);
  return { configuration, changes };
}

/** The unit of flexfed's profiles: the configured one; for auto A where allowed (the most widely accepted), else W. */
export function rateUnit(configured: RateUnit | "auto", c: ChargePointConfiguration): RateUnit {
  if (configured !== "auto") return configured;
  return c.rateUnits && !c.rateUnits.includes("A") && c.rateUnits.includes("W") ? "W" : "A";
}

/** The configured stack level, at most the charge point's highest. */
export const stackLevel = (configured: number, c: ChargePointConfiguration): number => Math.min(configured, c.maxStackLevel ?? configured);

/** Reads the configuration and changes what flexfed needs; resolves with what the charge point said (nothing when it would not say). */
export async function configure(cp: Caller, meterIntervalSeconds: number, log: Logger): Promise<ChargePointConfiguration> {
  let conf: GetConfigurationConf = { configurationKey: [], unknownKey: [] };
  try {
    conf = parse(GetConfigurationConf, await cp.call("GetConfiguration", { key: Object.values(KEYS) }), "GetConfiguration answer");
  } catch (err) {
    log.warn("ocpp: the charge point did not give its configuration; using the configured rate unit and stack level", { chargeBoxId: cp.id, error: message(err) });
  }
  const { configuration, changes } = plan(conf, meterIntervalSeconds);
  for (const [key, value] of changes) {
    const status = await cp.call("ChangeConfiguration", { key, value })
      .then((answer) => parse(ChangeConfigurationConf, answer, "ChangeConfiguration answer").status, message);
    if (status === "Accepted") continue;
    log.warn("ocpp: the charge point did not take a configuration key; going on without it", { chargeBoxId: cp.id, key, value, status });
  }
  return configuration;
}

/** Asks for every connector's status, then its meter values. */
export async function trigger(cp: Caller, connectorIds: readonly number[], log: Logger): Promise<void> {
  for (const requestedMessage of ["StatusNotification", "MeterValues"] as const) {
    for (const connectorId of connectorIds) {
      const status = await cp.call("TriggerMessage", { requestedMessage, connectorId })
        .then((answer) => parse(TriggerMessageConf, answer, "TriggerMessage answer").status, message);
      if (status !== "Accepted") log.info("ocpp: the charge point did not trigger a message; waiting for it instead", { chargeBoxId: cp.id, requestedMessage, connectorId, status });
    }
  }
}
