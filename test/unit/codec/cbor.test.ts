import { encode as rawEncode } from "cborg";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCanonical, encodeCanonical } from "../../../src/codec/cbor.ts";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { isSaylauError } from "../../../src/errors.ts";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return "accepted";
}

describe("canonical CBOR", () => {
  it("sorts map keys length-first, then bytewise", () => {
    // {"b":1,"aa":2,"a":3} -> keys a, b, aa
    expect(toHex(encodeCanonical({ b: 1, aa: 2, a: 3 }))).toBe("a3616103616201626161" + "02");
  });

  it("uses shortest-form integers", () => {
    expect(toHex(encodeCanonical(23))).toBe("17");
    expect(toHex(encodeCanonical(24))).toBe("1818");
    expect(toHex(encodeCanonical(256))).toBe("190100");
  });

  it.each([
    ["non-minimal integer", "1817", "codec/malformed"],
    ["indefinite-length array", "9f01ff", "codec/malformed"],
    ["indefinite-length byte string", "5f4101ff", "codec/malformed"],
    ["duplicate map key", "a2616101616102", "codec/malformed"],
    ["unsorted map keys", "a2616201616101", "codec/non_canonical"],
    ["length-first order violated", "a26261610161620" + "2", "codec/non_canonical"],
    ["integral float (1.0)", "f93c00", "codec/non_canonical"],
    ["float that is not integral", "fb3ff8000000000000", "codec/float"],
    ["trailing bytes", "0100", "codec/malformed"],
    ["tag", "c11a514b67b0", "codec/malformed"],
    ["undefined", "f7", "codec/malformed"],
    ["truncated", "5820aa", "codec/malformed"],
    ["non-text map key", "a10101", "codec/malformed"],
  ])("rejects %s", (_name, hex, code) => {
    expect(codeOf(() => decodeCanonical(fromHex(hex)))).toBe(code);
  });

  it("rejects input over the size limit before parsing it", () => {
    expect(codeOf(() => decodeCanonical(new Uint8Array(11), 10))).toBe("codec/too_large");
  });

  it("rejects absurd nesting without blowing the stack", () => {
    const deep = new Uint8Array(100_000).fill(0x81); // [[[[...
    const code = codeOf(() => decodeCanonical(deep));
    expect(["codec/malformed", "codec/too_deep"]).toContain(code);
  });

  it("refuses to encode floats, undefined and class instances", () => {
    expect(codeOf(() => encodeCanonical(1.5))).toBe("codec/float");
    expect(codeOf(() => encodeCanonical({ a: undefined } as never))).toBe("codec/unsupported");
    expect(codeOf(() => encodeCanonical(new Map() as never))).toBe("codec/unsupported");
  });

  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    leaf: fc.oneof(
      fc.nat(),
      fc.integer({ min: -1000, max: 1000 }),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 40 }),
    ),
    node: fc.oneof(
      { depthSize: "small" },
      tie("leaf"),
      fc.array(tie("node"), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), tie("node"), { maxKeys: 4 }),
    ),
  })).node;

  it("round-trips every value, and decoding what cborg's raw encoder made gives the same bytes", () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCanonical(v as never);
        const back = decodeCanonical(bytes);
        expect(toHex(encodeCanonical(back))).toBe(toHex(bytes));
        expect(toHex(rawEncode(v))).toBe(toHex(bytes));
      }),
      { numRuns: 300, seed: 7049 },
    );
  });

  it("every single-byte change is rejected or decodes to a different value", () => {
    fc.assert(
      fc.property(value, fc.nat(), fc.integer({ min: 1, max: 255 }), (v, at, delta) => {
        const bytes = encodeCanonical(v as never);
        const mutated = Uint8Array.from(bytes);
        const i = at % bytes.length;
        mutated[i] = (mutated[i]! + delta) & 0xff;
        let decoded: unknown;
        try {
          decoded = decodeCanonical(mutated);
        } catch (err) {
          expect(isSaylauError(err)).toBe(true);
          return;
        }
        // Accepted mutations must re-encode to themselves, so they are a different value.
        expect(toHex(encodeCanonical(decoded as never))).toBe(toHex(mutated));
        expect(toHex(mutated)).not.toBe(toHex(bytes));
      }),
      { numRuns: 500, seed: 8949 },
    );
  });
});
