/**
 * Creates a whole election from one master seed: authority, validator, trustee and voter
 * keys, the trustees' key ceremony, and the manifest. Deterministic, so tests and the
 * seeded demo are reproducible; `saylau election init` passes a fresh random seed. Every
 * key is derived as SHA-256(label || master seed), so no two roles share a key.
 */
import { concatBytes, utf8 } from "../crypto/bytes.ts";
import { type Ed25519KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import { sha256 } from "../crypto/hash.ts";
import type { TrusteeSecret } from "../election/ceremony.ts";
import type { Contest } from "../election/description.ts";
import { seededElection } from "../election/seeded.ts";
import { SaylauError } from "../errors.ts";
import { electionIdOf, encodeManifest, MANIFEST_VERSION, type Manifest } from "./manifest.ts";

export interface ElectionSetupInput {
  readonly name: string;
  readonly createdAt: number;
  readonly seed: Uint8Array;
  readonly validators: number;
  readonly trustees: number;
  readonly threshold: number;
  readonly voters: number;
  readonly contests: readonly Contest[];
}

export interface TrusteeKeys {
  readonly index: number;
  readonly signing: Ed25519KeyPair;
  readonly secret: TrusteeSecret;
}

export interface ElectionSetup {
  readonly manifest: Manifest;
  readonly manifestBytes: Uint8Array;
  readonly electionId: Uint8Array;
  readonly authority: Ed25519KeyPair;
  readonly validators: readonly Ed25519KeyPair[];
  readonly trustees: readonly TrusteeKeys[];
  readonly voters: readonly Ed25519KeyPair[];
}

export function deriveKey(seed: Uint8Array, label: string): Ed25519KeyPair {
  return keyPairFromSeed(sha256(concatBytes(utf8(`saylau/v1/setup/${label}/`), seed)));
}

export function createElection(input: ElectionSetupInput): ElectionSetup {
  if (input.validators < 1 || input.validators > 64) {
    throw new SaylauError("setup/bad_parameters", "between 1 and 64 validators");
  }
  if (input.threshold < 1 || input.threshold > input.trustees) {
    throw new SaylauError(
      "setup/bad_parameters",
      "threshold must be between 1 and the number of trustees",
    );
  }
  const authority = deriveKey(input.seed, "authority");
  const validators = Array.from({ length: input.validators }, (_, i) =>
    deriveKey(input.seed, `validator/${i}`),
  );
  const ceremony = seededElection({
    seed: sha256(concatBytes(utf8("saylau/v1/setup/ceremony/"), input.seed)),
    contests: input.contests,
    threshold: input.threshold,
    trusteeCount: input.trustees,
  });
  const trustees = ceremony.secrets.map((secret, i) => ({
    index: i + 1,
    signing: deriveKey(input.seed, `trustee/${i + 1}`),
    secret,
  }));
  const voters = Array.from({ length: input.voters }, (_, i) =>
    deriveKey(input.seed, `voter/${i}`),
  );
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    name: input.name,
    createdAt: input.createdAt,
    authority: authority.publicKey,
    validators: validators.map((v, i) => ({ name: `validator-${i}`, publicKey: v.publicKey })),
    trusteeKeys: trustees.map((t) => t.signing.publicKey),
    election: ceremony.description,
  };
  const manifestBytes = encodeManifest(manifest);
  return {
    manifest,
    manifestBytes,
    electionId: electionIdOf(manifestBytes),
    authority,
    validators,
    trustees,
    voters,
  };
}
