/**
 * Signatures for the simulation. The stand-in is a keyed tagged hash: only the holder of a
 * validator's secret can produce its signature, and verification looks the secret up in a
 * table that only the harness holds (a signing oracle per validator, a verification oracle
 * for all) — the same unforgeability a Byzantine simulated validator faces with ed25519,
 * at a fraction of the cost. The ed25519 suite runs the production code path.
 */

import type { Signer, VerifyFn } from "../../src/consensus/types.ts";
import { concatBytes, toHex, utf8 } from "../../src/crypto/bytes.ts";
import { keyPairFromSeed, sign, verifySignature } from "../../src/crypto/ed25519.ts";
import { taggedHash } from "../../src/crypto/hash.ts";

export interface SimCrypto {
  readonly publicKeys: readonly Uint8Array[];
  signerFor(validator: number): Signer;
  readonly verify: VerifyFn;
}

export type CryptoKind = "stand-in" | "ed25519";

export function simCrypto(kind: CryptoKind, seed: number, n: number): SimCrypto {
  const secrets: Uint8Array[] = [];
  for (let i = 0; i < n; i++)
    secrets.push(taggedHash("saylau/v1/sim-secret", utf8(`${seed}/${i}`)));
  if (kind === "ed25519") {
    const pairs = secrets.map((s) => keyPairFromSeed(s));
    return {
      publicKeys: pairs.map((p) => p.publicKey),
      signerFor: (i) => ({ sign: (message) => sign(pairs[i]!.seed, message) }),
      verify: verifySignature,
    };
  }
  const publicKeys = secrets.map((s) => taggedHash("saylau/v1/sim-public", s));
  const secretByKey = new Map(publicKeys.map((k, i) => [toHex(k), secrets[i]!]));
  const standInSign = (secret: Uint8Array, message: Uint8Array) => {
    const head = taggedHash("saylau/v1/sim-sig", concatBytes(secret, message));
    return concatBytes(head, taggedHash("saylau/v1/sim-sig-tail", head));
  };
  return {
    publicKeys,
    signerFor: (i) => ({ sign: (message) => standInSign(secrets[i]!, message) }),
    verify: (publicKey, message, sig) => {
      const secret = secretByKey.get(toHex(publicKey));
      if (secret === undefined || sig.length !== 64) return false;
      const expected = standInSign(secret, message);
      for (let i = 0; i < 64; i++) if (expected[i] !== sig[i]) return false;
      return true;
    },
  };
}
