// Validation against the official EFI 2.0 XSD with xmllint. The XSD is not in this repository:
// it is read from ../shared/standards/efi-2.0/ next to the checkout, and its absence fails the test.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const XSD_PATH = path.resolve(REPO_ROOT, "../shared/standards/efi-2.0/efi-2.0.xsd");
export const EXAMPLES_DIR = path.join(REPO_ROOT, "test/efi/examples");

export function xsdPath(): string {
  if (!existsSync(XSD_PATH)) {
    throw new Error(`the official EFI 2.0 XSD is absent: expected it at ${XSD_PATH} (../shared/standards/efi-2.0/efi-2.0.xsd next to the repository); XSD validation cannot run`);
  }
  return XSD_PATH;
}

export function readXsd(): string {
  return readFileSync(xsdPath(), "utf8");
}

/** Validates many documents in one xmllint run; returns xmllint's complaint per invalid document (empty when all validate). */
export function xsdErrors(docs: readonly string[]): string[] {
  const schema = xsdPath();
  const dir = mkdtempSync(path.join(tmpdir(), "efi-xsd-"));
  try {
    const files = docs.map((doc, i) => {
      const file = path.join(dir, `doc-${i}.xml`);
      writeFileSync(file, doc);
      return file;
    });
    let output: string;
    try {
      output = execFileSync("xmllint", ["--noout", "--schema", schema, ...files], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      const e = err as { stderr?: string; code?: string };
      if (e.code === "ENOENT") throw new Error("xmllint is not installed (apt-get install libxml2-utils)");
      output = e.stderr ?? String(err);
    }
    return output.split("\n").filter((line) => line.trim() && !line.endsWith(" validates"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
