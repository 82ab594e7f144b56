import { createElement as x, parse } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF } from "../../src/util/backoff.ts";
import { toXmppError, XmppError } from "../../src/xmpp/errors.ts";
import { configForm, parseEvent } from "../../src/xmpp/pubsub.ts";

describe("backoffDelay", () => {
  const opts = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 };
  it("doubles the ceiling per attempt up to the maximum", () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
  it("takes up to `jitter` of the ceiling off at random", () => {
    expect(backoffDelay(2, opts, () => 1)).toBe(200);
    expect(backoffDelay(2, opts, () => 0.5)).toBe(300);
  });
  it("never exceeds the default maximum", () => {
    for (let a = 0; a < 40; a++) expect(backoffDelay(a)).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
  });
});

describe("XmppError", () => {
  it("reads condition, text, type and application condition from an <error/>", () => {
    const el = parse(`<error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
      <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Field does not match: access_model</text>
      <precondition-not-met xmlns='http://jabber.org/protocol/pubsub#errors'/></error>`);
    const err = XmppError.fromElement(el);
    expect(err.condition).toBe("conflict");
    expect(err.text).toBe("Field does not match: access_model");
    expect(err.type).toBe("cancel");
    expect(err.applicationCondition).toBe("precondition-not-met");
    expect(err.message).toBe("conflict: Field does not match: access_model");
  });
  it("writes an <error/> that reads back the same", () => {
    const back = XmppError.fromElement(new XmppError("not-acceptable", "timer 2 blocks the transition").toElement());
    expect([back.condition, back.text, back.type]).toEqual(["not-acceptable", "timer 2 blocks the transition", "modify"]);
  });
  it("maps an IQ timeout to remote-server-timeout naming the peer", () => {
    const err = toXmppError(Object.assign(new Error("timeout"), { name: "TimeoutError" }), "dev@x/y");
    expect(err.condition).toBe("remote-server-timeout");
    expect(err.text).toContain("dev@x/y");
  });
});

describe("pubsub stanzas", () => {
  it("builds a node_config form with XEP-0060 field names", () => {
    const form = configForm("http://jabber.org/protocol/pubsub#node_config", { accessModel: "whitelist", maxItems: 32, persistItems: true });
    const fields = Object.fromEntries(form.getChildren("field").map((f) => [f.attrs.var, f.getChildText("value")]));
    expect(fields).toEqual({
      FORM_TYPE: "http://jabber.org/protocol/pubsub#node_config",
      "pubsub#access_model": "whitelist",
      "pubsub#max_items": "32",
      "pubsub#persist_items": "1",
    });
  });
  it("parses items and retractions from an event message", () => {
    const msg = x("message", { from: "pubsub.localhost" },
      x("event", { xmlns: "http://jabber.org/protocol/pubsub#event" },
        x("items", { node: "efi/b1" }, x("item", { id: "StorageStatus" }, x("p", { xmlns: "urn:x" })), x("retract", { id: "old" }))));
    const event = parseEvent(parse(msg.toString()));
    expect(event?.node).toBe("efi/b1");
    expect(event?.items.map((i) => i.id)).toEqual(["StorageStatus"]);
    expect(event?.items[0]?.payload?.getName()).toBe("p");
    expect(event?.retracted).toEqual(["old"]);
  });
  it("ignores messages without a pubsub event", () => {
    expect(parseEvent(x("message", {}, x("body", {}, "hi")))).toBeUndefined();
  });
});
