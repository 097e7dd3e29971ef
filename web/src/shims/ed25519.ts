/**
 * The browser build's stand-in for src/crypto/ed25519.ts (esbuild swaps the module): the
 * same exports, backed by the pure-JS rule of src/crypto/ed25519-rule.ts instead of
 * node:crypto. No check of its own: every verdict comes from ed25519-rule.ts.
 */

import {
  isAcceptablePublicKey,
  publicKeyFromSeedPure,
  SEED_LENGTH,
  signPure,
  verifyPure,
} from "../../../src/crypto/ed25519-rule.ts";
import { SaylauError } from "../../../src/errors.ts";

export {
  PUBLIC_KEY_LENGTH,
  SEED_LENGTH,
  SIGNATURE_LENGTH,
} from "../../../src/crypto/ed25519-rule.ts";

export interface Ed25519KeyPair {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function verifySignature(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  _keyAlreadyChecked = false,
): boolean {
  return verifyPure(publicKey, message, signature);
}

export function isValidPublicKey(publicKey: Uint8Array): boolean {
  return isAcceptablePublicKey(publicKey);
}

export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_LENGTH) {
    throw new SaylauError("crypto/bad_seed", `an ed25519 seed is ${SEED_LENGTH} bytes`);
  }
  return { seed: Uint8Array.from(seed), publicKey: publicKeyFromSeedPure(seed) };
}

export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return signPure(seed, message);
}
