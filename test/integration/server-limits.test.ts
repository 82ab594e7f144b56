// A server holds a socket per device: it must run with the open-files limit its user may have, not
// the 1 024 that runuser's PAM session sets (Prosody refused logins at about 1 000 devices).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testServer } from "./harness.ts";

describe("server process limits", () => {
  it("runs with its soft open-files limit raised to the hard limit", () => {
    const { info } = testServer();
    const pid = readFileSync(path.join(info.dataDir, `${info.server}.pid`), "utf8").trim();
    const line = /Max open files\s+(\d+)\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, "utf8"));
    expect(line, `open files of server pid ${pid}`).not.toBeNull();
    expect(Number(line![1])).toBe(Number(line![2]));
  });
});
