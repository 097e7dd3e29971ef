import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import {
  sha256,
  sha256Pure,
  sha512,
  sha512Pure,
  TAG,
  taggedHash,
  taggedHashPure,
} from "../../../src/crypto/hash.ts";

describe("tagged hashing", () => {
  it("is SHA-256(utf8(tag) || 0x00 || bytes)", () => {
    const data = utf8("payload");
    const expected = createHash("sha256")
      .update(Buffer.from("saylau/v1/header"))
      .update(Buffer.from([0]))
      .update(data)
      .digest("hex");
    expect(toHex(taggedHash(TAG.header, data))).toBe(expected);
  });

  it("separates domains: one payload under two tags gives two hashes", () => {
    const data = utf8("same bytes");
    expect(toHex(taggedHash(TAG.header, data))).not.toBe(toHex(taggedHash(TAG.commit, data)));
  });

  it("cannot be confused by moving bytes between tag and payload (the 0x00 separator)", () => {
    // "saylau/v1/tx" + "a..." must differ from "saylau/v1/txa" + "..."
    expect(toHex(taggedHash("saylau/v1/tx", utf8("abc")))).not.toBe(
      toHex(taggedHash("saylau/v1/txa", utf8("bc"))),
    );
  });

  it("sha256 matches the FIPS 180 'abc' vector, in Node and in pure JS", () => {
    for (const f of [sha256, sha256Pure]) {
      expect(toHex(f(utf8("abc")))).toBe(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      );
    }
  });

  it("sha512 matches the FIPS 180 'abc' vector, in Node and in pure JS", () => {
    for (const f of [sha512, sha512Pure]) {
      expect(toHex(f(utf8("abc")))).toBe(
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
          "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
      );
    }
  });

  it("gives the same plain byte arrays through node:crypto as through the pure-JS path", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.string(), (data, suffix) => {
        const tag = `saylau/v1/${suffix}` as const;
        const fast = sha256(data);
        expect(Object.getPrototypeOf(fast)).toBe(Uint8Array.prototype);
        expect(toHex(fast)).toBe(toHex(sha256Pure(data)));
        expect(toHex(taggedHash(tag, data))).toBe(toHex(taggedHashPure(tag, data)));
        const fast512 = sha512(data);
        expect(Object.getPrototypeOf(fast512)).toBe(Uint8Array.prototype);
        expect(toHex(fast512)).toBe(toHex(sha512Pure(data)));
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });
});
