/**
 * Taking a snapshot while blocks keep committing: the snapshot is of one head, its records
 * exactly those after that head's block (LevelDB's iterator snapshot), so it verifies against
 * the digest of the records a replay to that height gives.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compareBytes, toHex } from "../../../src/crypto/bytes.ts";
import { decodeBlock } from "../../../src/ledger/block.ts";
import { credentialsLatticeHash } from "../../../src/ledger/credentials-digest.ts";
import { MemoryLedger } from "../../../src/ledger/memory-ledger.ts";
import { verifySnapshot } from "../../../src/ledger/snapshot-verify.ts";
import { decodeCredentialRecord, encodeCredentialRecord } from "../../../src/ledger/state.ts";
import { LedgerReplica } from "../../../src/node/ledger-replica.ts";
import { SnapshotServer, takeSnapshot } from "../../../src/node/state-sync-serve.ts";
import { buildElection } from "../audit/record.ts";

const root = mkdtempSync(join(tmpdir(), "saylau-snapshot-serve-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const built = buildElection({ voters: 12, ballotsPerBlock: 2 });
const { setup, ctx } = built;
const trust = {
  electionId: setup.electionId,
  validators: setup.validators.map((v) => v.publicKey),
};

/** The credential digest after block `height`, by replaying the chain in memory. */
function digestAt(height: number): Uint8Array {
  const ledger = new MemoryLedger(ctx);
  for (const e of built.entries.slice(0, height)) ledger.commit(decodeBlock(e.block));
  const records = setup.voters
    .flatMap((v) => {
      const r = ledger.credential(toHex(v.publicKey));
      return r === undefined
        ? []
        : [{ credential: v.publicKey, record: encodeCredentialRecord(r) }];
    })
    .sort((a, b) => compareBytes(a.credential, b.credential));
  return credentialsLatticeHash(records).digest();
}

describe("taking snapshots", () => {
  it("each is of one head while the next block commits, and verifies for that height", async () => {
    const replica = await LedgerReplica.open(join(root, "a"), setup.manifestBytes);
    try {
      const heights: number[] = [];
      for (const entry of built.entries) {
        const next = await replica.validate(decodeBlock(entry.block), new Set());
        // Queued before the commit: it sees the head before it, whatever lands meanwhile.
        const snapshot = replica.height === 0 ? undefined : takeSnapshot(replica.store, 200);
        await replica.commit(next, entry.certificate!);
        if (snapshot === undefined) continue;
        const s = await snapshot;
        heights.push(s.manifest.height);
        const d = digestAt(s.manifest.height);
        const { records } = verifySnapshot(
          s.manifestBytes,
          s.chunks,
          trust,
          () => d,
          decodeCredentialRecord,
        );
        expect(records.length).toBe(s.records);
      }
      expect(heights).toEqual(built.entries.slice(0, -1).map((_, i) => i + 1));
    } finally {
      await replica.close();
    }
  });

  it("holds the next commit back while it reads the head, so records and state are of one height", async () => {
    const replica = await LedgerReplica.open(join(root, "c"), setup.manifestBytes);
    try {
      const [first, ...rest] = built.entries;
      await replica.commit(
        await replica.validate(decodeBlock(first!.block), new Set()),
        first!.certificate!,
      );
      for (const entry of rest.slice(0, built.heights.firstBallots)) {
        const next = await replica.validate(decodeBlock(entry.block), new Set());
        // The snapshot's reads of the head are slow: the block's commit is attempted meanwhile.
        const gate = Promise.withResolvers<void>();
        const store = replica.store;
        const stateAt = store.stateAt.bind(store);
        store.stateAt = async (h: number) => {
          await gate.promise;
          return stateAt(h);
        };
        const snapshot = takeSnapshot(store);
        const committed = replica.commit(next, entry.certificate!);
        await new Promise((r) => setTimeout(r, 50));
        gate.resolve();
        const [s] = await Promise.all([snapshot, committed]);
        store.stateAt = stateAt;
        const d = digestAt(s.manifest.height);
        expect(s.manifest.height).toBe(replica.height - 1);
        expect(() =>
          verifySnapshot(s.manifestBytes, s.chunks, trust, () => d, decodeCredentialRecord),
        ).not.toThrow();
      }
    } finally {
      await replica.close();
    }
  });

  it("serves one snapshot until the head is reuseBlocks past it", async () => {
    const replica = await LedgerReplica.open(join(root, "b"), setup.manifestBytes);
    try {
      const server = new SnapshotServer(replica.store, { reuseBlocks: 3 });
      await expect(server.latest()).rejects.toMatchObject({ code: "node/not_ready" });
      const seen: number[] = [];
      for (const entry of built.entries) {
        await replica.commit(
          await replica.validate(decodeBlock(entry.block), new Set()),
          entry.certificate!,
        );
        seen.push((await server.latest()).manifest.height);
      }
      // Taken at 1, kept while the head is 1-3, taken again at 4, and so on.
      expect(seen).toEqual(seen.map((_, i) => 1 + 3 * Math.floor(i / 3)));
      expect(seen.length).toBeGreaterThan(6);
    } finally {
      await replica.close();
    }
  });
});
