// A device without hardware for the benches: a storage device whose control space is the EFI
// examples' (test/efi/examples) under its own resource id. It accepts every step at once, so what
// a bench measures is flexfed, not a device protocol. The bench reaches its sink (sinks) to hand
// the runtime telemetry and Measurements as a driver would.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { DeviceDriver, DriverFamily, DriverSink } from "../../src/device/driver.ts";
import { decode, formatDateTime, type EfiMessage, type Measurement } from "../../src/efi/index.ts";

const EXAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../test/efi/examples");
const example = (kind: string) => decode(readFileSync(path.join(EXAMPLES, `${kind}.xml`), "utf8"));
const TEMPLATES = ["StorageRegistration", "StorageSystemDescription", "StorageStatus"].map(example);
const MEASUREMENT = example("Measurement") as Measurement;

/** The status says running mode 1 (idle) with no timer: an instruction to stay idle passes every check. */
function status(m: EfiMessage): EfiMessage {
  if (m.kind !== "StorageStatus") return m;
  return { ...m, actuatorStatuses: (m.actuatorStatuses ?? []).map((a) => ({ actuatorId: a.actuatorId, currentRunningMode: 1 })) } as EfiMessage;
}

/** The control space of device `rid`. */
export function controlSpace(rid: string): EfiMessage[] {
  const header = { efiResourceId: rid, timestamp: formatDateTime(Date.now()) };
  return TEMPLATES.map((m) => status({ ...structuredClone(m), header }));
}

export function measurement(rid: string, powerW: number): Measurement {
  const now = formatDateTime(Date.now());
  return { ...MEASUREMENT, header: { efiResourceId: rid, timestamp: now }, measurementTimestamp: now, electricityMeasurement: { power: powerW } } as Measurement;
}

/** The sinks of the devices of this process, by resource id. */
export const sinks = new Map<string, DriverSink>();

export const benchStorage: DriverFamily = {
  type: "bench-storage",
  config: z.object({}).passthrough(),
  create(_config, ctx): DeviceDriver {
    return {
      category: "storage",
      async start(sink) {
        sinks.set(ctx.resourceId, sink);
        sink.identity({ MAN: "bench.example", MODEL: "bench-storage", SN: `SN-${ctx.resourceId}` });
        sink.controlSpace(controlSpace(ctx.resourceId));
      },
      async stop() { sinks.delete(ctx.resourceId); },
      async apply() { /* accepted at once */ },
      async release() { /* nothing held */ },
    };
  },
};
