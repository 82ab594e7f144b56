import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createElement as x } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../test/efi/xsd.ts";
import { encodeCongestion, parseCongestion, type Congestion } from "./signal.ts";

/** xmllint's verdict on one document against schemas/grid.xsd: "" when it validates, else its complaint. */
function xsdComplaint(doc: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "grid-xsd-"));
  try {
    writeFileSync(path.join(dir, "c.xml"), doc);
    execFileSync("xmllint", ["--noout", "--schema", path.join(REPO_ROOT, "schemas/grid.xsd"), path.join(dir, "c.xml")], { stdio: ["ignore", "pipe", "pipe"] });
    return "";
  } catch (err) {
    const e = err as { stderr?: Buffer; code?: string };
    if (e.code === "ENOENT") throw new Error("xmllint is not installed (apt-get install libxml2-utils)");
    return String(e.stderr ?? err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const signal: Congestion = { id: "c-1", feeder: "f-12", limit: 12_000, start: "2026-11-22T17:00:00Z", end: "2026-11-22T20:00:00Z" };
const el = (attrs: Record<string, string>) =>
  x("congestion", { xmlns: "urn:flexfed:grid:0", id: "c", feeder: "f", limit: "5", start: "2026-01-01T00:00:00Z", end: "2026-01-01T01:00:00Z", ...attrs });

describe("the congestion signal", () => {
  it("round-trips, with and without a direction, and what it writes validates against schemas/grid.xsd", () => {
    const zoned = { ...signal, start: "2024-02-29T17:00:00.250+01:00", end: "2024-02-29T19:00:00-00:30" };
    for (const c of [signal, { ...signal, limit: 9_500.5, direction: "export" as const }, { ...signal, end: signal.start }, zoned, { ...signal, limit: 1.5e21 }, { ...signal, end: "2026-11-22T24:00:00Z" }]) {
      expect(parseCongestion(encodeCongestion(c))).toEqual(c);
      expect(xsdComplaint(encodeCongestion(c).toString())).toBe("");
    }
  });

  it("reads a prefixed element as well", () => {
    const doc = x("g:congestion", { "xmlns:g": "urn:flexfed:grid:0", id: "c-1", feeder: "f-12", limit: "12000", start: signal.start, end: signal.end });
    expect(parseCongestion(doc)).toEqual(signal);
  });

  it("says which attribute is wrong, where the XSD refuses it too", () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ limit: "-5" }, /@limit: /],
      [{ limit: "lots" }, /@limit: /],
      [{ direction: "sideways" }, /@direction: /],
      [{ limit: "0x10" }, /@limit: must be a number of watts/],
      [{ limit: "INF" }, /@limit: /],
      [{ limit: "NaN" }, /@limit: /],
      [{ start: "tomorrow" }, /@start: must be an ISO 8601 date-time/],
      // Without a zone each reader would take its own; Date.parse takes February 30 for March 2.
      [{ start: "2026-01-01T00:00:00" }, /@start: must be an ISO 8601 date-time with seconds and a zone/],
      [{ start: "2026-02-30T00:00:00Z" }, /@start: /],
      [{ end: "2026-01-01T01:00Z" }, /@end: /],
      [{ end: "2026-01-01T24:00:01Z" }, /@end: /],
      [{ id: "has space" }, /@id: must be 1-64 letters/],
    ];
    for (const [attrs, message] of bad) {
      expect(() => parseCongestion(el(attrs))).toThrow(message);
      expect(xsdComplaint(el(attrs).toString()), JSON.stringify(attrs)).not.toBe("");
    }
    // XSD 1.0 cannot compare two attributes: only the codec knows that a window ends after it starts.
    expect(() => parseCongestion(el({ end: "2025-01-01T00:00:00Z" }))).toThrow("<congestion/> @end: must not be before start");
    expect(() => parseCongestion(x("limit", { xmlns: "urn:flexfed:grid:0" }))).toThrow(/expected <congestion xmlns='urn:flexfed:grid:0'\/>, got <limit/);
  });
});
