/**
 * Randomness is injected everywhere: production code passes nothing and gets the platform
 * CSPRNG; tests, vectors and the seeded demo pass `seededRng(seed)` and get reproducible
 * ceremonies, ballots and proofs from the same code path.
 */
import { randomBytes } from "@noble/hashes/utils.js";
import { concatBytes, utf8 } from "../crypto/bytes.ts";
import { sha512 } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";
import { bytesToBigIntLE, mod } from "./group.ts";

/** Returns `length` fresh random bytes. */
export type Rng = (length: number) => Uint8Array;

export const systemRng: Rng = (length) => randomBytes(length);

const SEEDED_RNG_TAG = utf8("saylau/v1/election/seeded-rng");

/**
 * Deterministic byte stream: block i = SHA-512(tag || 0x00 || seed || u64be(i)). Only for
 * tests and demos; a seeded election is exactly as secret as its seed.
 */
export function seededRng(seed: Uint8Array): Rng {
  if (!(seed instanceof Uint8Array) || seed.length < 16) {
    throw new SaylauError("election/bad_seed", "a seed is at least 16 bytes");
  }
  const prefix = concatBytes(SEEDED_RNG_TAG, new Uint8Array([0]), seed);
  let counter = 0n;
  let buffer = new Uint8Array(0);
  let offset = 0;
  return (length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (offset === buffer.length) {
        const ctr = new Uint8Array(8);
        new DataView(ctr.buffer).setBigUint64(0, counter++);
        buffer = sha512(concatBytes(prefix, ctr));
        offset = 0;
      }
      const take = Math.min(length - filled, buffer.length - offset);
      out.set(buffer.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
    }
    return out;
  };
}

/** A uniform nonzero scalar: 64 random bytes reduced mod L (bias below 2^-250). */
export function randomScalar(rng: Rng): bigint {
  for (;;) {
    const s = mod(bytesToBigIntLE(rng(64)));
    if (s !== 0n) return s;
  }
}
