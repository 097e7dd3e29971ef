/**
 * The one ed25519 verification rule every Saylau node applies. Validity of a signature must
 * be a pure function of its bytes, or nodes disagree and consensus splits, so the rule is
 * pinned here and by test vectors (test/unit/crypto/ed25519.test.ts):
 *
 *   1. S is canonical: S < L.
 *   2. A (public key) and R decode strictly per RFC 8032: y < p, valid point.
 *   3. A is not of small order (checked once per key; keys are cached).
 *   4. The cofactorless equation [S]B = R + [k]A holds, k = SHA-512(R || A || M) mod L.
 *
 * This is what OpenSSL (node:crypto) computes once 1 and 3 are checked first, and what the
 * pure-JS verifier below computes for browsers. It accepts every signature an honest signer
 * makes, and never one that @noble/curves' strict mode rejects; it rejects some that noble's
 * cofactored equation accepts: those whose R, or whose key A, carries a torsion component
 * (no honest signer makes either). A full torsion-freeness check of A ([L]A = 0) would cost
 * ~2 ms per key in pure JS, once per voter; it buys nothing for agreement, since every node
 * applies the same cofactorless equation, so the rule does not include it.
 *
 * This file is pure JS so that a browser can verify receipts with exactly the node's rule.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { concatBytes } from "./bytes.ts";

export const PUBLIC_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const SEED_LENGTH = 32;

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

function leToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

export function isCanonicalScalar(s: Uint8Array): boolean {
  return s.length === 32 && leToBigInt(s) < L;
}

/** Rule 2 and 3 for a public key: strict decoding, not of small order. */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  try {
    const A = Point.fromBytes(publicKey, false);
    return !A.isSmallOrder();
  } catch {
    return false;
  }
}

/** The whole rule in pure JS (no node:crypto): the browser-side verifier. */
export function verifyPure(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
  const rBytes = signature.subarray(0, 32);
  const sBytes = signature.subarray(32, 64);
  if (!isCanonicalScalar(sBytes)) return false;
  if (!isAcceptablePublicKey(publicKey)) return false;
  try {
    const A = Point.fromBytes(publicKey, false);
    const R = Point.fromBytes(rBytes, false);
    const k = leToBigInt(sha512(concatBytes(rBytes, publicKey, message))) % L;
    const s = leToBigInt(sBytes);
    const SB = s === 0n ? Point.ZERO : Point.BASE.multiplyUnsafe(s);
    const RkA = k === 0n ? R : R.add(A.multiplyUnsafe(k));
    return SB.equals(RkA);
  } catch {
    return false;
  }
}

export function publicKeyFromSeedPure(seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(seed);
}

export function signPure(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, seed);
}
