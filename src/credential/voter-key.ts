/**
 * A key the voter makes on their own device: an ed25519 key pair from 32 bytes of the
 * device's randomness. Nobody else ever holds the seed; the voter hands only the public key
 * to the registrar.
 */
import { type Ed25519KeyPair, keyPairFromSeed, SEED_LENGTH } from "../crypto/ed25519.ts";
import { SaylauError } from "../errors.ts";
import type { Rng } from "./code.ts";

export function newVoterKey(rng: Rng): Ed25519KeyPair {
  const seed = rng(SEED_LENGTH);
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_LENGTH) {
    throw new SaylauError("credential/bad_rng", `the rng must return ${SEED_LENGTH} bytes`);
  }
  const pair = keyPairFromSeed(seed);
  seed.fill(0); // keyPairFromSeed keeps its own copy
  return pair;
}
