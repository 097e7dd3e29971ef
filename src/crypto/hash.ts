/**
 * Domain-separated SHA-256: H(tag, bytes) = SHA-256(utf8(tag) || 0x00 || bytes).
 * Every hash Saylau computes over a structured object goes through a tag, so bytes hashed
 * for one purpose can never be reinterpreted as another. Pure JS (noble) so the same code
 * runs in a browser-side receipt verifier.
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "./bytes.ts";

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
} as const;
export type HashTag = (typeof TAG)[keyof typeof TAG] | `saylau/v1/${string}`;

export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
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
  return nobleSha256.create().update(tagPrefix(tag)).update(bytes).digest();
}
