import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createElement as x } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../test/efi/xsd.ts";
import { AlarmError, encodeAlarm, parseAlarm, type Alarm } from "./alarm.ts";

/** xmllint's verdict on one document against schemas/alarm.xsd: "" when it validates, else its complaint. */
function xsdComplaint(doc: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "alarm-xsd-"));
  try {
    writeFileSync(path.join(dir, "a.xml"), doc);
    execFileSync("xmllint", ["--noout", "--schema", path.join(REPO_ROOT, "schemas/alarm.xsd"), path.join(dir, "a.xml")], { stdio: ["ignore", "pipe", "pipe"] });
    return "";
  } catch (err) {
    const e = err as { stderr?: Buffer; code?: string };
    if (e.code === "ENOENT") throw new Error("xmllint is not installed (apt-get install libxml2-utils)");
    return String(e.stderr ?? err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const raised: Alarm = {
  id: "voltage:p1-meter-1", kind: "voltage", device: "p1-meter-1", state: "raised", severity: "critical", since: "2026-11-22T12:00:00.000Z",
  value: 260, limit: 253, text: "p1-meter-1 measures 260 V on 1-0:52.7.0, outside 207-253 V (EN 50160)",
};
const cleared: Alarm = { id: "offline:bat", kind: "offline", device: "bat", state: "cleared", severity: "critical", since: "2026-11-22T12:05:00+01:00", text: "bat is online again" };
const el = (attrs: Record<string, string>, text = "t") =>
  x("alarm", { xmlns: "urn:flexfed:alarm:0", id: "a", kind: "soc", device: "d", state: "raised", severity: "warning", since: "2026-11-22T12:00:00Z", ...attrs }, text);

describe("the alarm", () => {
  it("round-trips, with and without value and limit, and what it writes validates against schemas/alarm.xsd", () => {
    for (const a of [raised, cleared, { ...raised, value: 49.45, limit: 49.5, kind: "frequency" as const }]) {
      expect(parseAlarm(encodeAlarm(a))).toEqual(a);
      expect(xsdComplaint(encodeAlarm(a).toString())).toBe("");
    }
  });

  it("reads a prefixed element as well", () => {
    const doc = x("f:alarm", { "xmlns:f": "urn:flexfed:alarm:0", id: raised.id, kind: "voltage", device: raised.device, state: "raised", severity: "critical", since: raised.since, value: "260", limit: "253" }, raised.text);
    expect(parseAlarm(doc)).toEqual(raised);
  });

  it("says which attribute is wrong, where the XSD refuses it too", () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ kind: "smoke" }, /@kind: Invalid option/],
      [{ state: "open" }, /@state: /],
      [{ severity: "minor" }, /@severity: /],
      [{ since: "yesterday" }, /@since: 'yesterday' is not a date-time/],
      [{ since: "2026-02-30T12:00:00Z" }, /@since: .* is not a calendar date/],
      [{ value: "high" }, /@value: must be a number/],
      [{ device: "" }, /@device: /],
    ];
    for (const [attrs, message] of bad) {
      expect(() => parseAlarm(el(attrs)), JSON.stringify(attrs)).toThrow(message);
      expect(xsdComplaint(el(attrs).toString()), JSON.stringify(attrs)).not.toBe("");
    }
  });

  it("names every problem at once, and refuses what is not an alarm", () => {
    const missing = x("alarm", { xmlns: "urn:flexfed:alarm:0", id: "a", kind: "soc" });
    expect(() => parseAlarm(missing)).toThrow("invalid <alarm/>: @device: missing; @state: missing; @severity: missing; @since: missing; text: Too small: expected string to have >=1 characters");
    expect(() => parseAlarm(el({}, "  "))).toThrow(/text: /);
    expect(() => parseAlarm(x("alarm", { xmlns: "urn:other" }))).toThrow(new AlarmError("expected <alarm xmlns='urn:flexfed:alarm:0'/>, got <alarm xmlns='urn:other'/>"));
  });

  it("refuses to write an alarm the XSD would refuse", () => {
    expect(() => encodeAlarm({ ...raised, since: "2026-11-22 12:00" })).toThrow(/cannot encode <alarm\/>: @since: /);
    expect(() => encodeAlarm({ ...raised, value: Number.NaN })).toThrow(/@value: must be a number/);
  });
});
