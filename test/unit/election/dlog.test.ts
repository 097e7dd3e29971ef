import { describe, expect, it } from "vitest";
import { boundedDiscreteLog, boundedDiscreteLogs } from "../../../src/election/dlog.ts";
import { G, IDENTITY } from "../../../src/election/group.ts";
import { isSaylauError } from "../../../src/errors.ts";

const times = (n: number) => (n === 0 ? IDENTITY : G.multiply(BigInt(n)));

describe("bounded discrete log (baby-step giant-step)", () => {
  it("finds 0, small counts and the bound itself", () => {
    expect(boundedDiscreteLogs([0, 1, 2, 15, 16, 17, 100].map(times), 100)).toEqual([
      0, 1, 2, 15, 16, 17, 100,
    ]);
  });

  it("finds counts near one million and twenty million", () => {
    expect(boundedDiscreteLog(times(999_983), 1_000_000)).toBe(999_983);
    expect(boundedDiscreteLogs([times(20_000_000), times(13_371_337)], 20_000_000)).toEqual([
      20_000_000, 13_371_337,
    ]);
  });

  it("refuses values above the bound, and points that are no small multiple of G", () => {
    for (const target of [times(101), times(1_000_000), G.multiply(2n ** 200n)]) {
      let code = "";
      try {
        boundedDiscreteLog(target, 100);
      } catch (err) {
        if (isSaylauError(err)) code = err.code;
      }
      expect(code).toBe("election/count_out_of_range");
    }
  });
});
