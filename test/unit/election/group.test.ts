import { ristretto255_hasher } from "@noble/curves/ed25519.js";
import { expect, it } from "vitest";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import {
  decodePoint,
  decodeScalar,
  encodePoint,
  G,
  handOverDecoding,
  ORDER,
  scalarToBytes,
  takeOverDecodings,
} from "../../../src/election/group.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { describeEachArithmetic } from "./fixtures.ts";
import { HASH_TO_GROUP, INVALID_ENCODINGS, MULTIPLES_OF_G } from "./vectors/rfc9496.ts";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isSaylauError(err) ? err.code : `untyped: ${String(err)}`;
  }
  return undefined;
}

describeEachArithmetic("ristretto255 (RFC 9496)", () => {
  it("encodes the multiples 0..15 of G as in A.1, and decodes them back", () => {
    let acc = G.subtract(G);
    for (const hex of MULTIPLES_OF_G) {
      expect(toHex(encodePoint(acc))).toBe(hex);
      expect(decodePoint(fromHex(hex)).equals(acc)).toBe(true);
      acc = acc.add(G);
    }
  });

  it("rejects every A.2 invalid encoding with election/bad_point", () => {
    for (const hex of INVALID_ENCODINGS) {
      expect(
        codeOf(() => decodePoint(fromHex(hex))),
        hex,
      ).toBe("election/bad_point");
    }
    expect(codeOf(() => decodePoint(new Uint8Array(31)))).toBe("election/bad_point");
  });

  it("derives the A.3 elements from uniform bytes", () => {
    for (const [input, output] of HASH_TO_GROUP) {
      expect(toHex(ristretto255_hasher.deriveToCurve!(fromHex(input)).toBytes())).toBe(output);
    }
  });

  it("never returns a stale decoding for a buffer changed in place", () => {
    const buffer = fromHex(MULTIPLES_OF_G[2]!);
    expect(decodePoint(buffer).equals(G.add(G))).toBe(true);
    buffer.set(fromHex(MULTIPLES_OF_G[3]!));
    expect(decodePoint(buffer).equals(G.add(G).add(G))).toBe(true);
    buffer.set(fromHex(INVALID_ENCODINGS[4]!));
    expect(codeOf(() => decodePoint(buffer))).toBe("election/bad_point");
  });

  it("serves a decoding handed over from another thread to a copy of the same bytes, once", () => {
    const seven = fromHex(MULTIPLES_OF_G[7]!);
    const exported = structuredClone(handOverDecoding(seven)); // as postMessage carries it
    expect(exported.hex).toBe(MULTIPLES_OF_G[7]);
    takeOverDecodings([exported]);
    const copy = fromHex(MULTIPLES_OF_G[7]!);
    const first = decodePoint(copy);
    expect(first.equals(G.multiply(7n))).toBe(true);
    expect(toHex(encodePoint(first))).toBe(MULTIPLES_OF_G[7]);
    // The same array again: the per-array memo; another copy: decoded afresh, equal.
    expect(decodePoint(copy)).toBe(first);
    const other = decodePoint(fromHex(MULTIPLES_OF_G[7]!));
    expect(other).not.toBe(first);
    expect(other.equals(first)).toBe(true);
    // What is handed over is used as is, without decoding: here, deliberately, another
    // point's coordinates under 9G's encoding (which is why only decodePoint's own decodings
    // may be handed over, by a thread of the same process).
    const nine = fromHex(MULTIPLES_OF_G[9]!);
    takeOverDecodings([{ ...handOverDecoding(fromHex(MULTIPLES_OF_G[10]!)), hex: toHex(nine) }]);
    expect(decodePoint(nine).equals(G.multiply(10n))).toBe(true);
    // Bytes not handed over still decode, and invalid ones still fail.
    expect(decodePoint(fromHex(MULTIPLES_OF_G[8]!)).equals(G.multiply(8n))).toBe(true);
    expect(codeOf(() => decodePoint(fromHex(INVALID_ENCODINGS[4]!)))).toBe("election/bad_point");
  });

  it("accepts scalars below L only, little-endian", () => {
    expect(decodeScalar(scalarToBytes(ORDER - 1n))).toBe(ORDER - 1n);
    expect(decodeScalar(fromHex(`05${"00".repeat(31)}`))).toBe(5n);
    const orderBytes = new Uint8Array(32);
    let v = ORDER;
    for (let i = 0; i < 32; i++) {
      orderBytes[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    expect(codeOf(() => decodeScalar(orderBytes))).toBe("election/bad_scalar");
    expect(codeOf(() => decodeScalar(new Uint8Array(32).fill(0xff)))).toBe("election/bad_scalar");
  });
});
