import { describe, expect, it } from "vitest";
import { describePolicy, policyFromArgs } from "../../src/cli/policy.ts";

describe("flexfed policy arguments", () => {
  it("builds a tag-filter policy for one app", () => {
    expect(policyFromArgs("allow", "read,control", { to: "balancer.localhost", tag: ["SITE=home-1", "efi=storage"] })).toEqual({
      effect: "allow",
      actions: ["read", "control"],
      subject: { kind: "jid", jid: "balancer.localhost" },
      target: { kind: "tags", tags: { SITE: "home-1", EFI: "storage" } },
      nodes: [], fields: [], parameters: [],
    });
  });

  it("builds a domain-wide deny for one device with restrictions", () => {
    const p = policyFromArgs("deny", "control", { domain: "grid.example", device: "bat1@localhost", parameter: ["StorageInstruction"] });
    expect(p.subject).toEqual({ kind: "domain", domain: "grid.example" });
    expect(p.target).toEqual({ kind: "device", jid: "bat1@localhost" });
    expect(p.parameters).toEqual(["StorageInstruction"]);
  });

  it.each([
    [undefined, { all: true, device: "a@b" }, /say which actions/],
    ["read", { device: "a@b" }, /exactly one of --to, --domain, --all/],
    ["read", { to: "x.y", all: true, device: "a@b" }, /exactly one of --to, --domain, --all \(got --to, --all\)/],
    ["read", { all: true }, /either --device JID or one or more --tag/],
    ["read", { all: true, device: "a@b", tag: ["S=1"] }, /either --device JID or one or more --tag/],
    ["read", { all: true, tag: ["SITE"] }, /--tag 'SITE' is not NAME=VALUE/],
    ["write", { all: true, device: "a@b" }, /actions\.0: Invalid option: expected one of "read"\|"control"/],
    ["read", { domain: "not a domain", device: "a@b" }, /subject\.domain: a DNS domain/],
  ] as const)("refuses %s %o", (actions, values, message) => {
    expect(() => policyFromArgs("allow", actions, values)).toThrow(message);
  });

  it("describes a policy on one line", () => {
    const line = describePolicy({ id: 7, owner: "o@x", ...policyFromArgs("allow", "read", { domain: "grid.example", tag: ["FEEDER=f-12"], node: ["telemetry/b1"] }) });
    expect(line).toBe("   7  allow  read          domain grid.example  ->  FEEDER=f-12  (only node telemetry/b1)");
  });
});
