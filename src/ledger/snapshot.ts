/**
 * State snapshots (PROTOCOL.md §16): what a validator that lost its store fetches instead of
 * replaying the chain. A snapshot at committed height h is a manifest (the header of block h,
 * its commit certificate, the state after it, the transaction log's frontier at its logSize,
 * and the hash of each chunk) plus the credential records sorted by key, packed into chunks
 * of at most 1 MiB. This file is the format and the packing; snapshot-verify.ts checks one.
 */
import {
  array,
  bytes,
  bytesUpTo,
  decodeWith,
  encodeWith,
  type Infer,
  struct,
  uint,
} from "../codec/schema.ts";
import { certificateCodec } from "../consensus/certificate.ts";
import { compareBytes } from "../crypto/bytes.ts";
import { HASH_LENGTH, TAG, taggedHash } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";
import { headerCodec } from "./block.ts";
import { CREDENTIAL_KEY_LENGTH } from "./credentials-digest.ts";
import { MAX_TX_BYTES, MAX_VALIDATORS } from "./limits.ts";

export const SNAPSHOT_VERSION = 1;
/** A chunk's canonical encoding is at most this long. */
export const MAX_SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
/** 65,536 chunks of 1 MiB: 64 GiB of records, hundreds of millions of credentials. */
export const MAX_SNAPSHOT_CHUNKS = 65_536;
/**
 * A record holds at most one ballot's ciphertexts, which came in one transaction: it is
 * shorter than a transaction, so a chunk always fits at least one.
 */
export const MAX_SNAPSHOT_RECORD_BYTES = MAX_TX_BYTES;
/** The encoded state inside a manifest (the tally alone may be 4 MiB). */
export const MAX_SNAPSHOT_STATE_BYTES = 8 * 1024 * 1024;
/** A manifest: the state, 65,536 chunk hashes, a certificate, a header, a frontier. */
export const MAX_SNAPSHOT_MANIFEST_BYTES = 12 * 1024 * 1024;
/** RFC 9162 frontier of a log below 2^53 leaves: at most 53 perfect subtrees. */
const MAX_FRONTIER_NODES = 64;

export const snapshotManifestCodec = struct({
  version: uint(SNAPSHOT_VERSION),
  height: uint(),
  blockHash: bytes(HASH_LENGTH),
  stateHash: bytes(HASH_LENGTH),
  header: headerCodec,
  certificate: certificateCodec(MAX_VALIDATORS),
  /** The canonical state after block `height`, wrapped in a byte string like a block's txs. */
  state: bytesUpTo(MAX_SNAPSHOT_STATE_BYTES),
  /** The log's frontier at header.logSize (RFC 9162 perfect subtrees, largest first). */
  frontier: array(bytes(HASH_LENGTH), MAX_FRONTIER_NODES),
  chunkCount: uint(MAX_SNAPSHOT_CHUNKS),
  /** H("saylau/v1/snapshot-chunk", chunk) of each chunk, in order. */
  chunks: array(bytes(HASH_LENGTH), MAX_SNAPSHOT_CHUNKS),
});
export type SnapshotManifest = Infer<typeof snapshotManifestCodec>;

/** Smallest encoded entry: map head, "credential" + 34 bytes, "record" + a 2-byte record. */
const MIN_ENTRY_BYTES = 1 + 11 + 34 + 7 + 2;
export const MAX_SNAPSHOT_CHUNK_RECORDS = Math.floor(MAX_SNAPSHOT_CHUNK_BYTES / MIN_ENTRY_BYTES);

export const snapshotChunkCodec = struct({
  records: array(
    struct({
      credential: bytes(CREDENTIAL_KEY_LENGTH),
      /** The canonical credential record, wrapped in a byte string: the digest's element bytes. */
      record: bytesUpTo(MAX_SNAPSHOT_RECORD_BYTES),
    }),
    MAX_SNAPSHOT_CHUNK_RECORDS,
    1,
  ),
});
export type SnapshotChunk = Infer<typeof snapshotChunkCodec>;
export interface SnapshotRecord {
  readonly credential: Uint8Array;
  readonly record: Uint8Array;
}

export function encodeSnapshotManifest(manifest: SnapshotManifest): Uint8Array {
  return encodeWith(snapshotManifestCodec, manifest);
}

export function decodeSnapshotManifest(encoded: Uint8Array): SnapshotManifest {
  return decodeWith(snapshotManifestCodec, encoded, MAX_SNAPSHOT_MANIFEST_BYTES);
}

export function encodeSnapshotChunk(chunk: SnapshotChunk): Uint8Array {
  return encodeWith(snapshotChunkCodec, chunk);
}

export function decodeSnapshotChunk(encoded: Uint8Array): SnapshotChunk {
  return decodeWith(snapshotChunkCodec, encoded, MAX_SNAPSHOT_CHUNK_BYTES);
}

export function snapshotChunkHash(encoded: Uint8Array): Uint8Array {
  return taggedHash(TAG.snapshotChunk, encoded);
}

/** Bytes of a CBOR head for a length or count n (RFC 8949 §3, shortest form). */
function headLength(n: number): number {
  if (n < 24) return 1;
  if (n < 0x100) return 2;
  if (n < 0x10000) return 3;
  if (n < 0x100000000) return 5;
  return 9;
}

/** Encoded size of one entry {credential, record}: map head, two keys, two byte strings. */
function entryBytes(record: Uint8Array): number {
  return 1 + 11 + (2 + CREDENTIAL_KEY_LENGTH) + 7 + headLength(record.length) + record.length;
}

/** Encoded size of a chunk of `count` entries totalling `entries` bytes. */
function chunkBytes(count: number, entries: number): number {
  return 1 + 8 + headLength(count) + entries;
}

/**
 * Packs records, given in strictly increasing key order, into chunks: each as many records
 * as fit in MAX_SNAPSHOT_CHUNK_BYTES, in order. `push` returns a chunk when one is full;
 * `finish` returns the last one (or none when there were no records).
 */
export class SnapshotChunker {
  #pending: { credential: Uint8Array; record: Uint8Array }[] = [];
  #pendingBytes = 0;
  #last: Uint8Array | undefined;
  readonly #maxBytes: number;

  /** `maxBytes` below the protocol's 1 MiB only for tests that want many small chunks. */
  constructor(maxBytes: number = MAX_SNAPSHOT_CHUNK_BYTES) {
    this.#maxBytes = Math.min(maxBytes, MAX_SNAPSHOT_CHUNK_BYTES);
  }

  push(credential: Uint8Array, record: Uint8Array): Uint8Array | undefined {
    if (credential.length !== CREDENTIAL_KEY_LENGTH || record.length > MAX_SNAPSHOT_RECORD_BYTES) {
      throw new SaylauError(
        "snapshot/bad_record",
        "a credential key is 32 bytes and a record at most 64 KiB",
      );
    }
    if (this.#last !== undefined && compareBytes(this.#last, credential) >= 0) {
      throw new SaylauError(
        "snapshot/unordered",
        "records must come in strictly increasing key order",
      );
    }
    this.#last = credential;
    const size = entryBytes(record);
    let full: Uint8Array | undefined;
    if (
      this.#pending.length > 0 &&
      chunkBytes(this.#pending.length + 1, this.#pendingBytes + size) > this.#maxBytes
    ) {
      full = this.#flush();
    }
    this.#pending.push({ credential, record });
    this.#pendingBytes += size;
    return full;
  }

  finish(): Uint8Array | undefined {
    return this.#pending.length === 0 ? undefined : this.#flush();
  }

  #flush(): Uint8Array {
    const encoded = encodeSnapshotChunk({ records: this.#pending });
    this.#pending = [];
    this.#pendingBytes = 0;
    return encoded;
  }
}

export interface SnapshotParts {
  readonly header: Infer<typeof headerCodec>;
  readonly blockHash: Uint8Array;
  readonly certificate: Infer<ReturnType<typeof certificateCodec>>;
  readonly state: Uint8Array;
  readonly frontier: readonly Uint8Array[];
}

/** The manifest of a snapshot made of these parts and chunks. */
export function snapshotManifest(
  parts: SnapshotParts,
  chunks: readonly Uint8Array[],
): SnapshotManifest {
  return {
    version: SNAPSHOT_VERSION,
    height: parts.header.height,
    blockHash: parts.blockHash,
    stateHash: parts.header.stateHash,
    header: parts.header,
    certificate: parts.certificate,
    state: parts.state,
    frontier: [...parts.frontier],
    chunkCount: chunks.length,
    chunks: chunks.map(snapshotChunkHash),
  };
}

/** A whole snapshot from records already in memory (tests, benchmarks). */
export function buildSnapshot(
  parts: SnapshotParts,
  records: Iterable<SnapshotRecord>,
  maxChunkBytes?: number,
): { manifest: SnapshotManifest; chunks: Uint8Array[] } {
  const chunker = new SnapshotChunker(maxChunkBytes);
  const chunks: Uint8Array[] = [];
  for (const r of records) {
    const full = chunker.push(r.credential, r.record);
    if (full !== undefined) chunks.push(full);
  }
  const last = chunker.finish();
  if (last !== undefined) chunks.push(last);
  return { manifest: snapshotManifest(parts, chunks), chunks };
}
