/**
 * State snapshots of the fixture election: a snapshot verifies, and tampering with any
 * field of the manifest or any chunk is refused with its own code before anything is
 * returned. The state does not carry the credential digest yet (the lead adds it), so the
 * certified digest comes from a stand-in: a map from stateHash to the digest of the true
 * records at that height, standing for the field a certified state will hold.
 */
import { describe, expect, it } from "vitest";
import { type CborValue, encodeCanonical } from "../../../src/codec/cbor.ts";
import { decodeCertificate } from "../../../src/consensus/certificate.ts";
import { compareBytes, concatBytes, fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { TAG, taggedHash } from "../../../src/crypto/hash.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { encodeHeader } from "../../../src/ledger/block.ts";
import { credentialsLatticeHash } from "../../../src/ledger/credentials-digest.ts";
import {
  buildSnapshot,
  decodeSnapshotChunk,
  decodeSnapshotManifest,
  encodeSnapshotChunk,
  encodeSnapshotManifest,
  MAX_SNAPSHOT_CHUNK_BYTES,
  SnapshotChunker,
  type SnapshotManifest,
  type SnapshotRecord,
  snapshotChunkHash,
  snapshotManifest,
} from "../../../src/ledger/snapshot.ts";
import {
  SnapshotChunkVerifier,
  type SnapshotTrust,
  verifySnapshot,
  verifySnapshotManifest,
} from "../../../src/ledger/snapshot-verify.ts";
import {
  decodeCredentialRecord,
  encodeCredentialRecord,
  encodeState,
  newCredentialRecord,
} from "../../../src/ledger/state.ts";
import { buildElection } from "../audit/record.ts";

const built = buildElection({ voters: 12 });
const { setup, ledger, entries } = built;
const tip = ledger.tip;
const trust: SnapshotTrust = {
  electionId: setup.electionId,
  validators: setup.validators.map((v) => v.publicKey),
};
const records: SnapshotRecord[] = setup.voters
  .map((v) => ({
    credential: v.publicKey,
    record: encodeCredentialRecord(ledger.credential(toHex(v.publicKey))!),
  }))
  .sort((a, b) => compareBytes(a.credential, b.credential));
const state = encodeState(tip.state);
/** Stand-in for the state's credentialsDigest field: stateHash -> digest of the records. */
const certifiedDigests = new Map([
  [toHex(taggedHash(TAG.state, state)), credentialsLatticeHash(records).digest()],
]);
const digestOf = (s: Uint8Array): Uint8Array => {
  const d = certifiedDigests.get(toHex(taggedHash(TAG.state, s)));
  if (d === undefined) throw new Error("no digest for this state");
  return d;
};
const parts = {
  header: tip.header,
  blockHash: tip.hash,
  certificate: decodeCertificate(entries.at(-1)!.certificate!),
  state,
  frontier: tip.frontier.hashes,
};
// Small chunks, so that there are several: 12 records of ~300 bytes in chunks of 1 KiB.
const SMALL = 1024;
const snapshot = buildSnapshot(parts, records, SMALL);
const manifestBytes = encodeSnapshotManifest(snapshot.manifest);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return undefined;
}

function verifyWith(manifest: SnapshotManifest | Uint8Array, chunks: readonly Uint8Array[]) {
  const bytes = manifest instanceof Uint8Array ? manifest : rawEncode(manifest);
  return verifySnapshot(bytes, chunks, trust, digestOf, decodeCredentialRecord);
}

function tampered(change: (m: SnapshotManifest) => SnapshotManifest): SnapshotManifest {
  return change(decodeSnapshotManifest(manifestBytes));
}

/** Canonical CBOR without the manifest's shape check, so a tampered one can be encoded. */
const rawEncode = (m: SnapshotManifest): Uint8Array => encodeCanonical(m as unknown as CborValue);

const flip = (b: Uint8Array, at = 0): Uint8Array => {
  const c = b.slice();
  c[at] = (c[at] as number) ^ 1;
  return c;
};

describe("snapshot: a valid one", () => {
  it("verifies and gives back every record, in key order", () => {
    expect(snapshot.chunks.length).toBeGreaterThan(2);
    const { manifest, records: got } = verifyWith(manifestBytes, snapshot.chunks);
    expect(manifest.height).toBe(tip.header.height);
    expect(got.map((r) => toHex(concatBytes(r.credential, r.record)))).toEqual(
      records.map((r) => toHex(concatBytes(r.credential, r.record))),
    );
  });

  it("packs each chunk to at most the bound, as full as the next record allows", () => {
    for (const [i, chunk] of snapshot.chunks.entries()) {
      expect(chunk.length).toBeLessThanOrEqual(SMALL);
      const next = snapshot.chunks[i + 1];
      if (next === undefined) continue;
      const withNext = encodeSnapshotChunk({
        records: [...decodeSnapshotChunk(chunk).records, decodeSnapshotChunk(next).records[0]!],
      });
      expect(withNext.length).toBeGreaterThan(SMALL);
    }
    // At the protocol's bound every record of the fixture fits in one chunk.
    const one = buildSnapshot(parts, records);
    expect(one.chunks.length).toBe(1);
    expect(one.chunks[0]!.length).toBeLessThanOrEqual(MAX_SNAPSHOT_CHUNK_BYTES);
  });

  it("hands back the records' lattice hash, whose digest is the certified one", () => {
    const m = verifySnapshotManifest(manifestBytes, trust);
    const v = new SnapshotChunkVerifier(m, digestOf(m.state), decodeCredentialRecord);
    for (const [i, c] of snapshot.chunks.entries()) v.addChunk(i, c);
    const { records: n, lattice } = v.finish();
    expect(n).toBe(records.length);
    expect(toHex(lattice.digest())).toBe(toHex(digestOf(m.state)));
  });

  it("has no chunk for no records", () => {
    const chunker = new SnapshotChunker();
    expect(chunker.finish()).toBeUndefined();
  });

  it("refuses to pack records out of key order", () => {
    const chunker = new SnapshotChunker();
    chunker.push(records[1]!.credential, records[1]!.record);
    expect(codeOf(() => chunker.push(records[0]!.credential, records[0]!.record))).toBe(
      "snapshot/unordered",
    );
    expect(codeOf(() => chunker.push(records[1]!.credential, records[1]!.record))).toBe(
      "snapshot/unordered",
    );
  });
});

describe("snapshot: tampering with the manifest", () => {
  const cases: [string, (m: SnapshotManifest) => SnapshotManifest, string][] = [
    ["version", (m) => ({ ...m, version: 2 }), "snapshot/malformed"],
    ["version 0", (m) => ({ ...m, version: 0 }), "snapshot/malformed"],
    ["height", (m) => ({ ...m, height: m.height - 1 }), "snapshot/hash_mismatch"],
    ["blockHash", (m) => ({ ...m, blockHash: flip(m.blockHash) }), "snapshot/hash_mismatch"],
    ["stateHash", (m) => ({ ...m, stateHash: flip(m.stateHash) }), "snapshot/hash_mismatch"],
    [
      "header.time",
      (m) => ({ ...m, header: { ...m.header, time: m.header.time + 1 } }),
      "snapshot/hash_mismatch",
    ],
    [
      "header.height",
      (m) => ({ ...m, header: { ...m.header, height: m.height + 1 } }),
      "snapshot/hash_mismatch",
    ],
    [
      "certificate.blockHash",
      (m) => ({
        ...m,
        certificate: { ...m.certificate, blockHash: flip(m.certificate.blockHash) },
      }),
      "snapshot/hash_mismatch",
    ],
    [
      "certificate.height",
      (m) => ({ ...m, certificate: { ...m.certificate, height: m.height - 1 } }),
      "snapshot/hash_mismatch",
    ],
    [
      "certificate.view",
      (m) => ({ ...m, certificate: { ...m.certificate, view: m.certificate.view + 1 } }),
      "snapshot/bad_certificate",
    ],
    [
      "a certificate signature",
      (m) => ({
        ...m,
        certificate: {
          ...m.certificate,
          signatures: m.certificate.signatures.map((s, i) =>
            i === 1 ? { ...s, sig: flip(s.sig, 5) } : s,
          ),
        },
      }),
      "snapshot/bad_certificate",
    ],
    [
      "certificate signers (one dropped)",
      (m) => ({
        ...m,
        certificate: { ...m.certificate, signatures: m.certificate.signatures.slice(1) },
      }),
      "snapshot/bad_certificate",
    ],
    [
      // A forged header that the manifest names consistently everywhere: only the quorum's
      // signatures are left to catch it.
      "header.stateHash, consistently",
      (m) => {
        const header = { ...m.header, stateHash: taggedHash(TAG.state, flip(m.state, 3)) };
        const blockHash = taggedHash(TAG.header, encodeHeader(header));
        return {
          ...m,
          header,
          blockHash,
          stateHash: header.stateHash,
          state: flip(m.state, 3),
          certificate: { ...m.certificate, blockHash },
        };
      },
      "snapshot/bad_certificate",
    ],
    ["state", (m) => ({ ...m, state: flip(m.state, 10) }), "snapshot/hash_mismatch"],
    [
      "frontier node",
      (m) => ({ ...m, frontier: m.frontier.map((h, i) => (i === 0 ? flip(h) : h)) }),
      "snapshot/hash_mismatch",
    ],
    ["frontier length", (m) => ({ ...m, frontier: m.frontier.slice(1) }), "snapshot/hash_mismatch"],
    ["chunkCount", (m) => ({ ...m, chunkCount: m.chunkCount - 1 }), "snapshot/truncated"],
  ];
  for (const [field, change, code] of cases) {
    it(`${field}: ${code}`, () => {
      expect(codeOf(() => verifyWith(tampered(change), snapshot.chunks))).toBe(code);
      expect(codeOf(() => verifySnapshotManifest(rawEncode(tampered(change)), trust))).toBe(code);
    });
  }

  it("another election's trust: snapshot/bad_certificate", () => {
    const other = { ...trust, electionId: flip(trust.electionId) };
    expect(codeOf(() => verifySnapshotManifest(manifestBytes, other))).toBe(
      "snapshot/bad_certificate",
    );
  });

  it("bytes that are not a manifest: snapshot/malformed", () => {
    expect(codeOf(() => verifySnapshotManifest(manifestBytes.subarray(0, 100), trust))).toBe(
      "snapshot/malformed",
    );
  });

  it("a chunk hash: snapshot/forged_chunk", () => {
    const m = tampered((m) => ({ ...m, chunks: m.chunks.map((h, i) => (i === 1 ? flip(h) : h)) }));
    expect(codeOf(() => verifyWith(m, snapshot.chunks))).toBe("snapshot/forged_chunk");
  });

  it("the last chunk dropped from the manifest and count: snapshot/digest_mismatch", () => {
    const m = tampered((m) => ({
      ...m,
      chunkCount: m.chunkCount - 1,
      chunks: m.chunks.slice(0, -1),
    }));
    expect(codeOf(() => verifyWith(m, snapshot.chunks.slice(0, -1)))).toBe(
      "snapshot/digest_mismatch",
    );
  });
});

describe("snapshot: tampering with chunks", () => {
  it("a changed byte: snapshot/forged_chunk", () => {
    const chunks = snapshot.chunks.map((c, i) => (i === 1 ? flip(c, c.length - 1) : c));
    expect(codeOf(() => verifyWith(manifestBytes, chunks))).toBe("snapshot/forged_chunk");
  });

  it("two swapped: snapshot/forged_chunk", () => {
    const chunks = [snapshot.chunks[1]!, snapshot.chunks[0]!, ...snapshot.chunks.slice(2)];
    expect(codeOf(() => verifyWith(manifestBytes, chunks))).toBe("snapshot/forged_chunk");
  });

  it("one missing at the end: snapshot/truncated", () => {
    expect(codeOf(() => verifyWith(manifestBytes, snapshot.chunks.slice(0, -1)))).toBe(
      "snapshot/truncated",
    );
  });

  it("one too many: snapshot/truncated", () => {
    expect(codeOf(() => verifyWith(manifestBytes, [...snapshot.chunks, snapshot.chunks[0]!]))).toBe(
      "snapshot/truncated",
    );
  });

  it("given out of turn: snapshot/unordered", () => {
    const m = verifySnapshotManifest(manifestBytes, trust);
    const v = new SnapshotChunkVerifier(m, digestOf(m.state), decodeCredentialRecord);
    expect(codeOf(() => v.addChunk(1, snapshot.chunks[1]!))).toBe("snapshot/unordered");
    expect(codeOf(() => v.addChunk(m.chunkCount, snapshot.chunks[0]!))).toBe("snapshot/truncated");
    expect(v.addChunk(0, snapshot.chunks[0]!).length).toBeGreaterThan(0);
  });

  it("swapped with a manifest listing them so: snapshot/unordered", () => {
    const chunks = [snapshot.chunks[1]!, snapshot.chunks[0]!, ...snapshot.chunks.slice(2)];
    const m = { ...snapshot.manifest, chunks: chunks.map(snapshotChunkHash) };
    expect(codeOf(() => verifyWith(m, chunks))).toBe("snapshot/unordered");
  });

  it("a key repeated inside a chunk: snapshot/unordered", () => {
    const first = decodeSnapshotChunk(snapshot.chunks[0]!).records;
    const chunks = [
      encodeSnapshotChunk({ records: [first[0]!, ...first] }),
      ...snapshot.chunks.slice(1),
    ];
    const m = snapshotManifest(parts, chunks);
    expect(codeOf(() => verifyWith(m, chunks))).toBe("snapshot/unordered");
  });

  it("a record that does not decode: snapshot/forged_chunk", () => {
    const first = decodeSnapshotChunk(snapshot.chunks[0]!).records;
    const bad = first.map((r, i) => (i === 0 ? { ...r, record: fromHex("a0") } : r));
    const chunks = [encodeSnapshotChunk({ records: bad }), ...snapshot.chunks.slice(1)];
    expect(codeOf(() => verifyWith(snapshotManifest(parts, chunks), chunks))).toBe(
      "snapshot/forged_chunk",
    );
  });

  it("a record changed and the manifest rebuilt to match: snapshot/digest_mismatch", () => {
    const first = decodeSnapshotChunk(snapshot.chunks[0]!).records;
    const fresh = encodeCredentialRecord(newCredentialRecord(0));
    const changed = first.map((r, i) => (i === 0 ? { ...r, record: fresh } : r));
    expect(toHex(changed[0]!.record)).not.toBe(toHex(first[0]!.record));
    const chunks = [encodeSnapshotChunk({ records: changed }), ...snapshot.chunks.slice(1)];
    expect(codeOf(() => verifyWith(snapshotManifest(parts, chunks), chunks))).toBe(
      "snapshot/digest_mismatch",
    );
  });

  it("a record left out and the manifest rebuilt to match: snapshot/digest_mismatch", () => {
    const fewer = buildSnapshot(parts, records.slice(1), SMALL);
    expect(codeOf(() => verifyWith(fewer.manifest, fewer.chunks))).toBe("snapshot/digest_mismatch");
  });
});
