/**
 * Verifying a state snapshot (PROTOCOL.md §16) before anything of it is used. The manifest
 * is trusted only through the commit certificate: the certificate must be valid for the
 * header under the election's validator set, and everything else in the manifest must hash
 * up to that header (state -> stateHash, frontier -> logRoot). Chunks are then checked one
 * by one, in order, against the manifest's chunk hashes, and the records they carry must be
 * strictly increasing by key, decode, and hash (lattice hash, §6.1) to the credential digest
 * of the certified state. Whoever applies a snapshot applies it only after `finish()`.
 */
import { type CommitCertificate, certificateProblem } from "../consensus/certificate.ts";
import type { VerifyFn } from "../consensus/types.ts";
import { bytesEqual, compareBytes, toHex } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { TAG, taggedHash } from "../crypto/hash.ts";
import { LatticeHash } from "../crypto/lattice-hash.ts";
import { frontierFromNodes, frontierRoot } from "../crypto/merkle.ts";
import { SaylauError } from "../errors.ts";
import { headerHash } from "./block.ts";
import { credentialElement } from "./credentials-digest.ts";
import {
  decodeSnapshotChunk,
  decodeSnapshotManifest,
  SNAPSHOT_VERSION,
  type SnapshotManifest,
  type SnapshotRecord,
  snapshotChunkHash,
} from "./snapshot.ts";

/** What the verifier trusts: the election's manifest. */
export interface SnapshotTrust {
  readonly electionId: Uint8Array;
  /** The manifest's validator keys, by index. */
  readonly validators: readonly Uint8Array[];
  readonly verify?: VerifyFn;
}

/**
 * The credential digest the certified state commits to (PROTOCOL.md §6.1), read from the
 * state's canonical bytes. Until the state carries `credentialsDigest`, callers pass their
 * own; the node's is in src/node/state-sync-digest.ts.
 */
export type CredentialsDigestOf = (encodedState: Uint8Array) => Uint8Array;

function fail(code: string, message: string, details: Record<string, unknown> = {}): SaylauError {
  return new SaylauError(code, message, details);
}

/**
 * Decodes a manifest and checks it against the election: the certificate, then every hash
 * that ties the manifest's parts to the certified header. Throws snapshot/* codes.
 */
export function verifySnapshotManifest(
  encoded: Uint8Array,
  trust: SnapshotTrust,
): SnapshotManifest {
  let m: SnapshotManifest;
  try {
    m = decodeSnapshotManifest(encoded);
  } catch (err) {
    throw fail(
      "snapshot/malformed",
      `the snapshot manifest does not decode: ${(err as Error).message}`,
    );
  }
  if (m.version !== SNAPSHOT_VERSION) {
    throw fail(
      "snapshot/malformed",
      `snapshot manifest version ${m.version}, expected ${SNAPSHOT_VERSION}`,
    );
  }
  const { header, certificate } = m;
  const blockHash = headerHash(header);
  if (!bytesEqual(header.electionId, trust.electionId)) {
    throw fail("snapshot/bad_certificate", "the snapshot is of another election");
  }
  if (
    header.height !== m.height ||
    certificate.height !== m.height ||
    !bytesEqual(blockHash, m.blockHash) ||
    !bytesEqual(certificate.blockHash, blockHash)
  ) {
    throw fail(
      "snapshot/hash_mismatch",
      "the manifest's height, block hash, header and certificate do not name one block",
      { height: m.height },
    );
  }
  if (m.height === 0) {
    // Genesis has no certificate; a node that needs genesis builds it from the manifest.
    throw fail("snapshot/bad_certificate", "a snapshot is taken at a certified height above 0");
  }
  const problem = certificateProblem(
    trust.electionId,
    trust.validators,
    certificate as CommitCertificate,
    trust.verify ?? verifySignature,
  );
  if (problem !== null) {
    throw fail("snapshot/bad_certificate", `the certificate does not verify: ${problem.message}`, {
      cause: problem.code,
      height: m.height,
    });
  }
  if (
    !bytesEqual(m.stateHash, header.stateHash) ||
    !bytesEqual(taggedHash(TAG.state, m.state), header.stateHash)
  ) {
    throw fail(
      "snapshot/hash_mismatch",
      "the snapshot's state does not hash to the header's stateHash",
      {
        height: m.height,
      },
    );
  }
  let frontierOk = false;
  try {
    frontierOk = bytesEqual(
      frontierRoot(frontierFromNodes(header.logSize, m.frontier)),
      header.logRoot,
    );
  } catch {
    frontierOk = false;
  }
  if (!frontierOk) {
    throw fail(
      "snapshot/hash_mismatch",
      "the snapshot's log frontier does not give the header's logRoot",
      {
        height: m.height,
      },
    );
  }
  if (m.chunkCount !== m.chunks.length) {
    throw fail(
      "snapshot/truncated",
      `the manifest counts ${m.chunkCount} chunks but lists ${m.chunks.length}`,
    );
  }
  return m;
}

/**
 * Checks a verified manifest's chunks in order. `expectedDigest` is the credential digest of
 * the manifest's (certified) state; `decodeRecord` throws on a record that does not decode
 * (state.ts's decodeCredentialRecord).
 */
export class SnapshotChunkVerifier {
  readonly manifest: SnapshotManifest;
  readonly #expectedDigest: Uint8Array;
  readonly #decodeRecord: (record: Uint8Array) => unknown;
  #next = 0;
  #lastKey: Uint8Array | undefined;
  #hash = LatticeHash.empty();
  #records = 0;

  constructor(
    manifest: SnapshotManifest,
    expectedDigest: Uint8Array,
    decodeRecord: (record: Uint8Array) => unknown,
  ) {
    this.manifest = manifest;
    this.#expectedDigest = expectedDigest;
    this.#decodeRecord = decodeRecord;
  }

  get nextIndex(): number {
    return this.#next;
  }

  get done(): boolean {
    return this.#next === this.manifest.chunkCount;
  }

  /** Chunk `index` (which must be the next one): its records, once they check. */
  addChunk(index: number, encoded: Uint8Array): SnapshotRecord[] {
    if (index !== this.#next) {
      throw fail(
        index >= this.manifest.chunkCount ? "snapshot/truncated" : "snapshot/unordered",
        `expected chunk ${this.#next} of ${this.manifest.chunkCount}, got chunk ${index}`,
      );
    }
    const expected = this.manifest.chunks[index];
    if (expected === undefined || !bytesEqual(snapshotChunkHash(encoded), expected)) {
      throw fail(
        "snapshot/forged_chunk",
        `chunk ${index} does not hash to the manifest's chunk hash`,
        {
          index,
        },
      );
    }
    let records: SnapshotRecord[];
    try {
      records = decodeSnapshotChunk(encoded).records;
      for (const r of records) this.#decodeRecord(r.record);
    } catch (err) {
      // Its hash is the manifest's, so the manifest itself was made with a bad chunk.
      throw fail(
        "snapshot/forged_chunk",
        `chunk ${index} does not decode: ${(err as Error).message}`,
        {
          index,
        },
      );
    }
    let hash = this.#hash;
    let last = this.#lastKey;
    for (const r of records) {
      if (last !== undefined && compareBytes(last, r.credential) >= 0) {
        throw fail(
          "snapshot/unordered",
          `chunk ${index}: credential ${toHex(r.credential)} does not come after ${toHex(last)}`,
          { index },
        );
      }
      last = r.credential;
      hash = hash.add(credentialElement(r.credential, r.record));
    }
    this.#hash = hash;
    this.#lastKey = last;
    this.#records += records.length;
    this.#next++;
    return records;
  }

  /**
   * After the last chunk: the records' lattice hash must be the certified digest. Returns it
   * too: a node keeps the 2048-byte lattice hash to update it per write.
   */
  finish(): { records: number; lattice: LatticeHash } {
    if (!this.done) {
      throw fail(
        "snapshot/truncated",
        `${this.#next} of ${this.manifest.chunkCount} chunks received`,
      );
    }
    if (!bytesEqual(this.#hash.digest(), this.#expectedDigest)) {
      throw fail(
        "snapshot/digest_mismatch",
        "the snapshot's credential records do not hash to the state's credential digest",
        { height: this.manifest.height },
      );
    }
    return { records: this.#records, lattice: this.#hash };
  }
}

/** The whole check at once, for a snapshot in memory: the manifest and all its records. */
export function verifySnapshot(
  manifestBytes: Uint8Array,
  chunks: readonly Uint8Array[],
  trust: SnapshotTrust,
  credentialsDigestOf: CredentialsDigestOf,
  decodeRecord: (record: Uint8Array) => unknown,
): { manifest: SnapshotManifest; records: SnapshotRecord[] } {
  const manifest = verifySnapshotManifest(manifestBytes, trust);
  const verifier = new SnapshotChunkVerifier(
    manifest,
    credentialsDigestOf(manifest.state),
    decodeRecord,
  );
  if (chunks.length > manifest.chunkCount) {
    throw fail(
      "snapshot/truncated",
      `${chunks.length} chunks for a manifest of ${manifest.chunkCount}`,
    );
  }
  const records: SnapshotRecord[] = [];
  chunks.forEach((chunk, i) => {
    for (const r of verifier.addChunk(i, chunk)) records.push(r);
  });
  verifier.finish();
  return { manifest, records };
}
