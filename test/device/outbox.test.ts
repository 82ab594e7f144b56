import { describe, expect, it } from "vitest";
import { Outbox } from "../../src/device/outbox.ts";

describe("Outbox", () => {
  it("keeps order and drops the oldest when full, counting drops", () => {
    const box = new Outbox<number>(3);
    for (let i = 1; i <= 5; i++) box.push(i);
    expect(box.size).toBe(3);
    expect(box.dropped).toBe(2);
    expect([box.shift(), box.shift(), box.shift(), box.shift()]).toEqual([3, 4, 5, undefined]);
  });

  it("leaves the head in place until it is shifted", () => {
    const box = new Outbox<string>(2);
    box.push("a");
    expect(box.peek()).toBe("a");
    expect(box.peek()).toBe("a");
    expect(box.size).toBe(1);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new Outbox(0)).toThrow(/positive integer/);
    expect(() => new Outbox(1.5)).toThrow(/positive integer/);
  });
});
