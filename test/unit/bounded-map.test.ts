import { describe, expect, it } from "vitest";
import { setBounded } from "../../src/bounded-map.ts";

describe("bounded memo tables", () => {
  it("drop the oldest entry for a new key at the limit, and never for an existing key", () => {
    const m = new Map<string, number>();
    for (const [k, v] of [
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ] as const)
      setBounded(m, k, v, 3);
    setBounded(m, "b", 20, 3);
    expect([...m]).toEqual([
      ["a", 1],
      ["b", 20],
      ["c", 3],
    ]);
    setBounded(m, "d", 4, 3);
    expect([...m]).toEqual([
      ["b", 20],
      ["c", 3],
      ["d", 4],
    ]);
  });
});
