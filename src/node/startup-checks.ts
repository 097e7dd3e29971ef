/**
 * Checks of a validator's configuration against its election at start: the key file holds a
 * seed, the seed is one of the manifest's validators, and every other validator has an
 * address. Each failure is a `config/...` error naming what to fix.
 */
import { readFileSync } from "node:fs";
import { bytesEqual, fromHex } from "../crypto/bytes.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { SaylauError } from "../errors.ts";
import type { Manifest } from "../ledger/manifest.ts";
import type { NodeConfig } from "./config.ts";

export function readSeed(file: string): Uint8Array {
  const text = readFileSync(file, "utf8").trim();
  try {
    return fromHex(text, 32);
  } catch {
    throw new SaylauError(
      "config/bad_key",
      `${file} must hold a 32-byte ed25519 seed as 64 lowercase hex digits`,
    );
  }
}

/** This validator's index in the manifest, from its seed. */
export function validatorIndex(manifest: Manifest, seed: Uint8Array, keyFile: string): number {
  const publicKey = keyPairFromSeed(seed).publicKey;
  const self = manifest.validators.findIndex((v) => bytesEqual(v.publicKey, publicKey));
  if (self < 0) {
    throw new SaylauError(
      "config/not_a_validator",
      `the key in ${keyFile} is not a validator of this election`,
    );
  }
  return self;
}

/** The configured address of every validator but `self`, by manifest index. */
export function peerAddresses(
  config: NodeConfig,
  manifest: Manifest,
  self: number,
): Map<number, string> {
  const peersByIndex = new Map(config.peers.map((p) => [p.index, p.address]));
  const missing = manifest.validators
    .map((_, i) => i)
    .filter((i) => i !== self && !peersByIndex.has(i));
  if (missing.length > 0) {
    throw new SaylauError(
      "config/missing_peer",
      `no address configured for validators ${missing.join(", ")}`,
    );
  }
  return peersByIndex;
}
