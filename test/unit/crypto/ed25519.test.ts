import { ED25519_TORSION_SUBGROUP, ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, fromHex, toHex } from "../../../src/crypto/bytes.ts";
import {
  generateKeyPair,
  isValidPublicKey,
  keyPairFromSeed,
  sign,
  verifySignature,
} from "../../../src/crypto/ed25519.ts";
import { signPure, verifyPure } from "../../../src/crypto/ed25519-rule.ts";

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

function leToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}
function bigIntToLe32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** Both verifiers must give the same verdict: a disagreement would split consensus. */
function verdict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const fast = verifySignature(publicKey, message, signature);
  const pure = verifyPure(publicKey, message, signature);
  expect(pure).toBe(fast);
  return fast;
}

// RFC 8032 §7.1, tests 1-3 and SHA(abc).
const RFC8032 = [
  {
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    message: "af82",
    signature:
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
];

describe("ed25519: RFC 8032 vectors", () => {
  for (const [i, v] of RFC8032.entries()) {
    it(`test ${i + 1}: derives the key, signs deterministically, verifies`, () => {
      const kp = keyPairFromSeed(fromHex(v.seed));
      expect(toHex(kp.publicKey)).toBe(v.publicKey);
      const message = fromHex(v.message);
      expect(toHex(sign(kp.seed, message))).toBe(v.signature);
      expect(toHex(signPure(kp.seed, message))).toBe(v.signature);
      expect(verdict(kp.publicKey, message, fromHex(v.signature))).toBe(true);
    });
  }
});

describe("ed25519: pinned edge cases", () => {
  const v = RFC8032[1]!;
  const publicKey = fromHex(v.publicKey);
  const message = fromHex(v.message);
  const signature = fromHex(v.signature);

  it("rejects a non-canonical S (S + L), which cofactored-lenient verifiers accept", () => {
    const s = leToBigInt(signature.subarray(32));
    const malleated = concatBytes(signature.subarray(0, 32), bigIntToLe32(s + L));
    expect(verdict(publicKey, message, malleated)).toBe(false);
  });

  it("rejects every small-order public key, whatever the signature", () => {
    for (const hex of ED25519_TORSION_SUBGROUP) {
      const A = fromHex(hex);
      expect(isValidPublicKey(A)).toBe(false);
      // With A of small order, R = [S]B - [k]A has a simple forgery for S = 0 and R = -[k]A.
      const forged = concatBytes(A, new Uint8Array(32));
      expect(verdict(A, message, forged)).toBe(false);
    }
  });

  it("rejects a non-canonical public key encoding (y >= p)", () => {
    // y = p + 1 encodes the same point as y = 1 (the identity) non-canonically.
    const p = 2n ** 255n - 19n;
    const nonCanonical = bigIntToLe32(p + 1n);
    expect(isValidPublicKey(nonCanonical)).toBe(false);
    expect(verdict(nonCanonical, message, signature)).toBe(false);
  });

  it("rejects a non-canonical R encoding", () => {
    const p = 2n ** 255n - 19n;
    const badR = concatBytes(bigIntToLe32(p + 1n), signature.subarray(32));
    expect(verdict(publicKey, message, badR)).toBe(false);
  });

  it("decides mixed-order keys (prime-order part plus torsion) by the cofactorless equation", () => {
    const a = 12345678901234567890n;
    const T = Point.fromBytes(fromHex(ED25519_TORSION_SUBGROUP[1]!));
    const A = Point.BASE.multiply(a).add(T).toBytes();
    // Not of small order, so the key itself passes the key rule...
    expect(isValidPublicKey(A)).toBe(true);
    // ...and a signature made the RFC 8032 way holds only when [k]T vanishes, i.e. 8 | k.
    const signWith = (r: bigint) => {
      const R = Point.BASE.multiply(r).toBytes();
      const k = leToBigInt(sha512(concatBytes(R, A, message))) % L;
      return { sig: concatBytes(R, bigIntToLe32((r + k * a) % L)), k };
    };
    let sawAccepted = false;
    let sawRejected = false;
    for (let r = 1000n; r < 1100n && !(sawAccepted && sawRejected); r++) {
      const { sig, k } = signWith(r);
      const ok = verdict(A, message, sig);
      expect(ok).toBe(k % 8n === 0n);
      // noble's cofactored strict mode accepts all of them: Saylau's rule is stricter.
      expect(ed25519.verify(sig, message, A, { zip215: false })).toBe(true);
      if (ok) sawAccepted = true;
      else sawRejected = true;
    }
    expect(sawAccepted && sawRejected).toBe(true);
  });

  it("rejects R with a torsion component (cofactorless rule; noble's cofactored strict mode accepts it)", () => {
    const seed = fromHex(RFC8032[0]!.seed);
    const kp = keyPairFromSeed(seed);
    const T = Point.fromBytes(fromHex(ED25519_TORSION_SUBGROUP[1]!));
    // Derive the secret scalar the RFC 8032 way to build R + T by hand.
    const h = sha512(seed);
    const head = h.slice(0, 32);
    head[0]! &= 248;
    head[31]! &= 127;
    head[31]! |= 64;
    const a = leToBigInt(head) % L;
    const r = 424242n;
    const Rt = Point.BASE.multiply(r).add(T).toBytes();
    const k = leToBigInt(sha512(concatBytes(Rt, kp.publicKey, message))) % L;
    const S = (r + k * a) % L;
    const sig = concatBytes(Rt, bigIntToLe32(S));
    expect(ed25519.verify(sig, message, kp.publicKey, { zip215: false })).toBe(true);
    expect(verdict(kp.publicKey, message, sig)).toBe(false);
  });

  it("rejects wrong lengths without throwing", () => {
    expect(verdict(publicKey.subarray(0, 31), message, signature)).toBe(false);
    expect(verdict(publicKey, message, signature.subarray(0, 63))).toBe(false);
    expect(verdict(publicKey, message, concatBytes(signature, new Uint8Array(1)))).toBe(false);
  });
});

describe("ed25519: properties", () => {
  it("node:crypto and pure JS agree on honest signatures and on every single-bit flip", () => {
    const kp = generateKeyPair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 64 * 8 - 1 }), (message, bit) => {
        const sig = sign(kp.seed, message);
        expect(verdict(kp.publicKey, message, sig)).toBe(true);
        const flipped = Uint8Array.from(sig);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        expect(verdict(kp.publicKey, message, flipped)).toBe(false);
      }),
      { numRuns: 60, seed: 8032 },
    );
  });

  it("a signature never verifies for another message or another key", () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const message = new TextEncoder().encode("ballot");
    const sig = sign(a.seed, message);
    expect(verdict(b.publicKey, message, sig)).toBe(false);
    expect(verdict(a.publicKey, new TextEncoder().encode("ballot!"), sig)).toBe(false);
  });
});
