import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/efi.ts";
import { UsageError } from "../../src/cli/usage.ts";
import { decode } from "../../src/efi/index.ts";
import { EXAMPLES_DIR, REPO_ROOT } from "./xsd.ts";

const ssd = path.join(EXAMPLES_DIR, "StorageSystemDescription.xml");
const measurement = path.join(EXAMPLES_DIR, "Measurement.xml");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, "error").mockImplementation((s: string) => void err.push(s));
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => out.push(String(s)) > 0);
  return { out, err };
}

afterEach(() => vi.restoreAllMocks());

describe("flexfed efi", () => {
  it("validate prints ok with the kind per valid file", async () => {
    const { out } = capture();
    expect(await run(["validate", ssd, measurement])).toBe(0);
    expect(out).toEqual([`${ssd}: ok (StorageSystemDescription)`, `${measurement}: ok (Measurement)`]);
  });

  it("validate exits 1 with path and reason for an invalid file, and names a missing one", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "efi-cli-"));
    const bad = path.join(dir, "bad.xml");
    writeFileSync(bad, readFileSync(ssd, "utf8").replace('efi:actuatorId="0"', 'efi:actuatorId="zero"'));
    const { out, err } = capture();
    expect(await run(["validate", measurement, bad, path.join(dir, "missing.xml")])).toBe(1);
    expect(out).toEqual([`${measurement}: ok (Measurement)`]);
    expect(err).toEqual([
      `${bad}: invalid\n  StorageSystemDescription/actuatorBehaviours/actuatorBehaviour[0]/@actuatorId: 'zero' is not a valid xs:int`,
      `${path.join(dir, "missing.xml")}: no such file`,
    ]);
  });

  it("normalize prints canonical XML that decodes to the same message", async () => {
    const { out } = capture();
    expect(await run(["normalize", ssd])).toBe(0);
    const xml = out.join("");
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<efi:StorageSystemDescription')).toBe(true);
    expect(xml).not.toContain("<!--");
    expect(decode(xml)).toStrictEqual(decode(readFileSync(ssd, "utf8")));
  });

  it("has help and refuses wrong command lines", async () => {
    const { out } = capture();
    expect(await run(["validate", "--help"])).toBe(0);
    expect(await run(["normalize", "--help"])).toBe(0);
    expect(out.join("\n")).toContain("usage: flexfed efi validate FILE...");
    expect(out.join("\n")).toContain("usage: flexfed efi normalize [--compact] FILE");
    await expect(run(["validate"])).rejects.toThrow(UsageError);
    await expect(run(["normalize", ssd, measurement])).rejects.toThrow("give exactly one FILE");
    await expect(run(["convert"])).rejects.toThrow("unknown action 'convert'");
  });

  it("runs through the flexfed binary", () => {
    const stdout = execFileSync(process.execPath, [path.join(REPO_ROOT, "bin/flexfed.mjs"), "efi", "validate", measurement], { encoding: "utf8" });
    expect(stdout.trim()).toBe(`${measurement}: ok (Measurement)`);
  });
});
