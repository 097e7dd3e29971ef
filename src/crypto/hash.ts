/**
 * Domain-separated SHA-256: H(tag, bytes) = SHA-256(utf8(tag) || 0x00 || bytes).
 * Every hash Saylau computes over a structured object goes through a tag, so bytes hashed
 * for one purpose can never be reinterpreted as another.
 *
 * In Node, node:crypto computes it (4-5x faster than pure JS for a ballot's 2.4 KB, and a
 * validator hashes every transaction several times); elsewhere, such as a browser-side
 * receipt verifier, noble's pure-JS SHA-256 does. Both compute the same function, which the
 * tests check. node:crypto is fetched with process.getBuiltinModule rather than imported, so
 * this file still loads where there is no node:crypto.
 */
import { sha256 as nobleSha256, sha512 as nobleSha512 } from "@noble/hashes/sha2.js";
import { utf8 } from "./bytes.ts";

type NodeCrypto = typeof import("node:crypto");
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;

export const HASH_LENGTH = 32;

/** Every tag Saylau uses, in one place so none is invented twice or misspelt. */
export const TAG = {
  manifest: "saylau/v1/manifest",
  header: "saylau/v1/header",
  commit: "saylau/v1/commit",
  state: "saylau/v1/state",
  tx: "saylau/v1/tx",
  vote: "saylau/v1/vote",
  consensus: "saylau/v1/consensus",
  ballot: "saylau/v1/ballot",
  evidence: "saylau/v1/evidence",
  /** The credential digest: over a lattice hash's 2048 bytes (src/crypto/lattice-hash.ts). */
  credentials: "saylau/v1/credentials",
  /** Key ceremony: one tag per signed message kind, and the transcript's hash. */
  ceremonyAnnouncement: "saylau/v1/ceremony/announcement",
  ceremonyShare: "saylau/v1/ceremony/share",
  ceremonyVerdict: "saylau/v1/ceremony/verdict",
  ceremonyTranscript: "saylau/v1/ceremony/transcript",
  /** A passphrase-encrypted key file's integrity digest (src/cli/keystore.ts). */
  keyFile: "saylau/v1/keyfile",
  /** One chunk of a state snapshot's credential records (src/ledger/snapshot.ts). */
  snapshotChunk: "saylau/v1/snapshot-chunk",
} as const;
export type HashTag = (typeof TAG)[keyof typeof TAG] | `saylau/v1/${string}`;

export function sha256(bytes: Uint8Array): Uint8Array {
  if (nodeCrypto !== undefined) return asPlainBytes(nodeCrypto.hash("sha256", bytes, "buffer"));
  return nobleSha256(bytes);
}

/**
 * SHA-512 with the same choice of implementation, shaped like noble's hash (callable, with
 * outputLen, blockLen and create) so it can be handed to noble's expand_message_xmd: the
 * Fiat-Shamir challenges and the seeded rng hash through it. Only the one-shot call uses
 * node:crypto; create() is noble's streaming hash, the same function.
 */
export const sha512: typeof nobleSha512 = Object.assign(
  (bytes: Uint8Array): Uint8Array =>
    nodeCrypto !== undefined
      ? asPlainBytes(nodeCrypto.hash("sha512", bytes, "buffer"))
      : nobleSha512(bytes),
  {
    outputLen: nobleSha512.outputLen,
    blockLen: nobleSha512.blockLen,
    canXOF: nobleSha512.canXOF,
    oid: nobleSha512.oid,
    create: nobleSha512.create,
  },
) as typeof nobleSha512;

/** The pure-JS computation, for tests that hold both implementations to the same output. */
export function sha512Pure(bytes: Uint8Array): Uint8Array {
  return nobleSha512(bytes);
}

/** The pure-JS computation, for tests that hold both implementations to the same output. */
export function sha256Pure(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

/** A Buffer is a Uint8Array, but callers compare and encode plain ones: copy out of it. */
function asPlainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).slice();
}

const tagPrefixCache = new Map<string, Uint8Array>();
function tagPrefix(tag: string): Uint8Array {
  let prefix = tagPrefixCache.get(tag);
  if (prefix === undefined) {
    const t = utf8(tag);
    prefix = new Uint8Array(t.length + 1);
    prefix.set(t, 0); // trailing byte stays 0x00: the separator
    tagPrefixCache.set(tag, prefix);
  }
  return prefix;
}

export function taggedHash(tag: HashTag, bytes: Uint8Array): Uint8Array {
  if (nodeCrypto !== undefined) {
    const digest = nodeCrypto.createHash("sha256").update(tagPrefix(tag)).update(bytes).digest();
    return asPlainBytes(digest);
  }
  return taggedHashPure(tag, bytes);
}

export function taggedHashPure(tag: HashTag, bytes: Uint8Array): Uint8Array {
  return nobleSha256.create().update(tagPrefix(tag)).update(bytes).digest();
}
