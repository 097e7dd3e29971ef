import { expand_message_xmd } from "@noble/curves/abstract/hash-to-curve.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { ORDER } from "../../../src/election/group.ts";
import { DST, hashToScalar } from "../../../src/election/hash-to-scalar.ts";

const RFC_DST = "QUUX-V01-CS02-with-expander-SHA512-256";

function os2ip(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

describe("RFC 9380 hash_to_field over the ristretto255 scalar field", () => {
  it("expand_message_xmd(SHA-512) matches RFC 9380 K.3", () => {
    const cases: [string, string][] = [
      ["", "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba"],
      ["abc", "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc"],
      ["abcdef0123456789", "087e45a86e2939ee8b91100af1583c4938e0f5fc6c9db4b107b83346bc967f58"],
    ];
    for (const [msg, out] of cases) {
      expect(toHex(expand_message_xmd(utf8(msg), RFC_DST, 32, sha512))).toBe(out);
    }
  });

  it("reads L = 48 uniform bytes big-endian and reduces mod the group order (RFC 9380 §5.2)", () => {
    for (const msg of ["", "abc", "saylau"]) {
      const uniform = expand_message_xmd(utf8(msg), DST.selectionProof, 48, sha512);
      expect(hashToScalar(DST.selectionProof, utf8(msg))).toBe(os2ip(uniform) % ORDER);
      // The biased alternatives give other values: only the specified one is accepted.
      const narrow = expand_message_xmd(utf8(msg), DST.selectionProof, 32, sha512);
      expect(hashToScalar(DST.selectionProof, utf8(msg))).not.toBe(os2ip(narrow) % ORDER);
    }
  });

  it("separates domains: the same message under two DSTs hashes differently", () => {
    const m = utf8("same statement");
    const values = new Set(Object.values(DST).map((d) => hashToScalar(d, m)));
    expect(values.size).toBe(Object.values(DST).length);
  });

  it("outputs are below L", () => {
    for (let i = 0; i < 50; i++) {
      const s = hashToScalar(DST.contestProof, utf8(`m${i}`));
      expect(s >= 0n && s < ORDER).toBe(true);
    }
  });
});
