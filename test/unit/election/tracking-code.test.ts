import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseTrackingCode,
  trackingCode,
  trackingCodeMatches,
} from "../../../src/election/index.ts";
import { isSaylauError } from "../../../src/errors.ts";

describe("tracking codes", () => {
  it("render the first 80 bits in Crockford base32 with a check symbol", () => {
    const id = new Uint8Array(32);
    expect(trackingCode(id)).toBe("0000-0000-0000-0000-0");
    id.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    // 2^80 - 1 = 37 * k + 33: check symbol 33 is '~'.
    expect(((1n << 80n) - 1n) % 37n).toBe(33n);
    expect(trackingCode(id)).toBe("ZZZZ-ZZZZ-ZZZZ-ZZZZ-~");
  });

  it("round-trip and parse forgivingly (case, O/0, I/L/1, spacing)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (id) => {
        const code = trackingCode(id);
        expect(code).toMatch(
          /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z*~$=U]$/,
        );
        expect(parseTrackingCode(code)).toEqual(id.subarray(0, 10));
        expect(trackingCodeMatches(code.toLowerCase().replace(/-/g, " "), id)).toBe(true);
        expect(trackingCodeMatches(code.replace(/0/g, "O").replace(/1/g, "l"), id)).toBe(true);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it("catch any single mistyped symbol by the check symbol", () => {
    const id = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 3);
    const code = trackingCode(id).replace(/-/g, "");
    const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for (let pos = 0; pos < 16; pos++) {
      for (const ch of alphabet) {
        if (ch === code[pos]) continue;
        const typo = code.slice(0, pos) + ch + code.slice(pos + 1);
        let rejected = false;
        try {
          parseTrackingCode(typo);
        } catch (err) {
          rejected = isSaylauError(err, "election/bad_tracking_code");
        }
        expect(rejected, typo).toBe(true);
      }
    }
    expect(() => parseTrackingCode("ABCD-EFGH")).toThrow(/tracking code/);
    expect(() => parseTrackingCode("UUUU-0000-0000-0000-0")).toThrow(/invalid symbol/);
  });
});
