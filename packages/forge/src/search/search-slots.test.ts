// The code-search slots: a client gets at most its share even when the process has more,
// the process cap holds across clients, and a slot given back (once, however often release
// is called) is free again.
import { describe, expect, it } from "vitest";
import { SearchSlots } from "./search-slots.ts";

describe("code search slots", () => {
  it("caps one client below the process cap, and the process across clients", () => {
    const slots = new SearchSlots(3, 2);
    const a1 = slots.acquire("a");
    const a2 = slots.acquire("a");
    expect(a1).not.toBeNull();
    expect(a2).not.toBeNull();
    expect(slots.acquire("a")).toBeNull(); // a's share is used up
    const b1 = slots.acquire("b");
    expect(b1).not.toBeNull();
    expect(slots.acquire("c")).toBeNull(); // the process is full
    expect(slots.running).toBe(3);
    a1!();
    a1!(); // a second release gives nothing back twice
    expect(slots.running).toBe(2);
    expect(slots.acquire("a")).not.toBeNull();
    expect(slots.acquire("c")).toBeNull();
    b1!();
    expect(slots.acquire("c")).not.toBeNull();
  });
});
