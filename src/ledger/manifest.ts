/**
 * The election manifest: the genesis of the ledger. It fixes who may do what for the whole
 * election (authority key, validator set, trustee keys, the election description with its
 * contests and joint public key), and its tagged hash is the election id that every
 * signature and proof in the election binds.
 */
import {
  array,
  bytes,
  decodeWith,
  encodeWith,
  type Infer,
  struct,
  text,
  uint,
} from "../codec/schema.ts";
import { toHex } from "../crypto/bytes.ts";
import { isValidPublicKey, PUBLIC_KEY_LENGTH } from "../crypto/ed25519.ts";
import { TAG, taggedHash } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";
import { electionDescriptionCodec } from "./ballot-crypto.ts";
import { MAX_NAME_LENGTH, MAX_VALIDATORS } from "./limits.ts";

export const MANIFEST_VERSION = 1;
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export const validatorCodec = struct({
  name: text(MAX_NAME_LENGTH),
  publicKey: bytes(PUBLIC_KEY_LENGTH),
});

export const manifestCodec = struct({
  version: uint(MANIFEST_VERSION),
  name: text(MAX_NAME_LENGTH),
  createdAt: uint(),
  authority: bytes(PUBLIC_KEY_LENGTH),
  validators: array(validatorCodec, MAX_VALIDATORS, 1),
  /** ed25519 keys the trustees sign their decryption transactions with, by trustee index. */
  trusteeKeys: array(bytes(PUBLIC_KEY_LENGTH), 64, 1),
  election: electionDescriptionCodec,
});
export type Manifest = Infer<typeof manifestCodec>;

export function encodeManifest(manifest: Manifest): Uint8Array {
  checkManifest(manifest);
  return encodeWith(manifestCodec, manifest);
}

export function decodeManifest(encoded: Uint8Array): Manifest {
  const manifest = decodeWith(manifestCodec, encoded, MAX_MANIFEST_BYTES);
  checkManifest(manifest);
  return manifest;
}

/** The election id: the tagged hash of the canonical manifest. */
export function electionIdOf(encodedManifest: Uint8Array): Uint8Array {
  return taggedHash(TAG.manifest, encodedManifest);
}

/** Rules beyond shape: keys valid and distinct, roles never share a key. */
function checkManifest(manifest: Manifest): void {
  if (manifest.version !== MANIFEST_VERSION) {
    throw new SaylauError("manifest/version", `unsupported manifest version ${manifest.version}`);
  }
  const seen = new Map<string, string>();
  const claim = (key: Uint8Array, role: string) => {
    if (!isValidPublicKey(key)) {
      throw new SaylauError("manifest/bad_key", `${role} has an invalid ed25519 public key`, {
        role,
      });
    }
    const hex = toHex(key);
    const other = seen.get(hex);
    if (other !== undefined) {
      throw new SaylauError("manifest/duplicate_key", `${role} reuses the key of ${other}`, {
        role,
        other,
      });
    }
    seen.set(hex, role);
  };
  claim(manifest.authority, "authority");
  manifest.validators.forEach((v, i) => {
    claim(v.publicKey, `validator ${i} (${v.name})`);
  });
  manifest.trusteeKeys.forEach((k, i) => {
    claim(k, `trustee ${i}`);
  });
  if (manifest.trusteeKeys.length !== trusteeCount(manifest)) {
    throw new SaylauError(
      "manifest/trustee_mismatch",
      `${manifest.trusteeKeys.length} trustee keys for ${trusteeCount(manifest)} trustees in the election description`,
    );
  }
}

function trusteeCount(manifest: Manifest): number {
  return manifest.election.trustees.length;
}

/** Byzantine faults tolerated by a validator set of size n. */
export function faultTolerance(n: number): number {
  return Math.floor((n - 1) / 3);
}
