// Registry tags from what a telegram says about its meter.
import type { DeviceTags } from "../../src/device/driver.ts";
import type { Telegram } from "./telegram.ts";

/** EFI 2.0 has no device class for a meter; "Miscellaneous" is the one that does not mislead. */
export const DEVICE_CLASS = "Miscellaneous";

/** DSMR equipment ids are ASCII written as hex ("4B3845..." is "K8E..."); anything else is kept as sent. */
export function decodeEquipmentId(id: string): string {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(id)) return id;
  const text = Buffer.from(id, "hex").toString("latin1");
  return /^[\x20-\x7e]+$/.test(text) ? text : id;
}

/**
 * The identification line is /XXXZ\WIdent (IEC 62056-21): XXX the manufacturer's FLAG id, Z a baud
 * rate digit, \W an optional enhanced-capability mark, then the meter's own identification.
 */
export function identityTags(t: Telegram): DeviceTags {
  const m = /^([A-Za-z]{3})\d(?:\\.)?(.*)$/.exec(t.header);
  const tags: DeviceTags = { CLASS: DEVICE_CLASS, EFI: "inflexible" };
  if (m) {
    tags.MAN = m[1]!;
    if (m[2]!.trim()) tags.MODEL = m[2]!.trim();
  }
  if (t.equipmentId) tags.SN = decodeEquipmentId(t.equipmentId);
  // 1-3:0.2.8 is the P1 version: 50 is DSMR 5.0, 42 is 4.2. V is numeric in XEP-0347.
  if (t.version && /^\d+$/.test(t.version)) tags.V = Number(t.version) / 10;
  return tags;
}
