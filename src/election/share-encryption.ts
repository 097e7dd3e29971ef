/**
 * Hashed ElGamal for the key ceremony's private shares (after ElectionGuard 2.1 §3.2.2).
 * Sender i encrypts the 32-byte share P_i(l) to trustee l's public key K_l = C_l0:
 *
 *   xi random, E = xi*G, S = xi*K_l  (the recipient recomputes S = a_l0*E)
 *   k = expand_message_xmd(ceremonyId || u32be(i) || u32be(l) || K_l || E || S,
 *                          "saylau/v1/election/share-key", 64, SHA-512)
 *   ciphertext = le32(P_i(l)) XOR k[0..32]
 *   mac = HMAC-SHA-256(k[32..64], ceremonyId || u32be(i) || u32be(l) || E || ciphertext)
 *
 * Revealing S (with a proof that it is a_l0*E) lets anyone redo the decryption, which is what
 * makes a complaint about a bad share publicly checkable without revealing a_l0.
 */
import { expand_message_xmd } from "@noble/curves/abstract/hash-to-curve.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { bytesEqual, concatBytes } from "../crypto/bytes.ts";
import { DST, u32be } from "./hash-to-scalar.ts";

export interface ShareKeys {
  readonly pad: Uint8Array;
  readonly macKey: Uint8Array;
}

export function deriveShareKeys(
  ceremonyId: Uint8Array,
  sender: number,
  recipient: number,
  recipientKey: Uint8Array,
  ephemeral: Uint8Array,
  sharedSecret: Uint8Array,
): ShareKeys {
  const k = expand_message_xmd(
    concatBytes(ceremonyId, u32be(sender), u32be(recipient), recipientKey, ephemeral, sharedSecret),
    DST.shareKey,
    64,
    sha512,
  );
  return { pad: k.slice(0, 32), macKey: k.slice(32, 64) };
}

export function xor32(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export function shareMac(
  macKey: Uint8Array,
  ceremonyId: Uint8Array,
  sender: number,
  recipient: number,
  ephemeral: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  return hmac(
    sha256,
    macKey,
    concatBytes(ceremonyId, u32be(sender), u32be(recipient), ephemeral, ciphertext),
  );
}

export function macMatches(expected: Uint8Array, actual: Uint8Array): boolean {
  return bytesEqual(expected, actual);
}
