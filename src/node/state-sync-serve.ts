/**
 * Serving state snapshots (PROTOCOL.md §16) to validators that state-sync. A snapshot is
 * taken on request (`GET /v1/snapshot`) at the current head and kept: later requests get the
 * same one until the head is `reuseBlocks` blocks past it, so fetchers of one snapshot get
 * the same chunks, and a busy validator packs its records at most once per `reuseBlocks`
 * blocks. Taking one reads the store between two appends (LedgerStore.betweenAppends): the
 * head's certificate, state and frontier, and a LevelDB iterator over the credential records,
 * which reads from the snapshot LevelDB takes when the iterator is created, so the records
 * are exactly those after the head block even while blocks keep committing.
 */
import type { Logger } from "pino";
import { decodeCertificate } from "../consensus/certificate.ts";
import { toHex } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import {
  encodeSnapshotManifest,
  SnapshotChunker,
  type SnapshotManifest,
  snapshotManifest,
} from "../ledger/snapshot.ts";
import { keys, PREFIX } from "../ledger/store/keys.ts";
import type { LedgerStore } from "../ledger/store/ledger-store.ts";

/** A snapshot is reused until the head is this many blocks past it. */
export const SNAPSHOT_REUSE_BLOCKS = 100;

export interface ServedSnapshot {
  readonly manifest: SnapshotManifest;
  readonly manifestBytes: Uint8Array;
  readonly chunks: readonly Uint8Array[];
  readonly records: number;
  readonly tookMs: number;
}

/** Takes a snapshot of the store at its current head (above genesis). */
export async function takeSnapshot(
  store: LedgerStore,
  maxChunkBytes?: number,
): Promise<ServedSnapshot> {
  const t0 = performance.now();
  const at = await store.betweenAppends(async () => {
    const head = store.head();
    if (head.height === 0) {
      throw new SaylauError(
        "node/not_ready",
        "no certified block yet: a snapshot is taken after block 1 or later",
      );
    }
    const [certificate, state] = await Promise.all([
      store.certificate(head.height),
      store.stateAt(head.height),
    ]);
    if (certificate === undefined || state === undefined) {
      throw store.corrupt("the head's certificate or state is not stored", { height: head.height });
    }
    const records = store.db.iterator({
      gte: keys.prefixStart(PREFIX.credential),
      lt: keys.prefixEnd(PREFIX.credential),
      fillCache: false,
    });
    return { head, certificate, state, frontier: store.frontier(), records };
  });
  const chunker = new SnapshotChunker(maxChunkBytes);
  const chunks: Uint8Array[] = [];
  let count = 0;
  try {
    for (;;) {
      let entries: [Uint8Array, Uint8Array][];
      try {
        entries = await at.records.nextv(1024);
      } catch (err) {
        throw store.readFailure("credential records", err);
      }
      if (entries.length === 0) break;
      for (const [key, value] of entries) {
        const full = chunker.push(key.subarray(1), value);
        if (full !== undefined) chunks.push(full);
        count++;
      }
    }
  } finally {
    await at.records.close();
  }
  const last = chunker.finish();
  if (last !== undefined) chunks.push(last);
  const manifest = snapshotManifest(
    {
      header: at.head.header,
      blockHash: at.head.hash,
      certificate: store.decodeStored("certificate", () => decodeCertificate(at.certificate)),
      state: at.state,
      frontier: at.frontier.hashes,
    },
    chunks,
  );
  return {
    manifest,
    manifestBytes: encodeSnapshotManifest(manifest),
    chunks,
    records: count,
    tookMs: performance.now() - t0,
  };
}

export interface SnapshotManifestView {
  readonly height: number;
  readonly blockHash: string;
  readonly stateHash: string;
  readonly chunkCount: number;
  /** The canonical snapshot manifest, hex: what a state-syncing validator verifies. */
  readonly manifest: string;
}

export interface SnapshotChunkView {
  readonly height: number;
  readonly index: number;
  /** The canonical chunk, hex. */
  readonly chunk: string;
}

/** The API's snapshot routes read through this (src/node/api/snapshot-routes.ts). */
export interface SnapshotService {
  manifest(): Promise<SnapshotManifestView>;
  chunk(index: number, height: number | undefined): Promise<SnapshotChunkView>;
}

export class SnapshotServer implements SnapshotService {
  readonly #store: LedgerStore;
  readonly #log: Logger | undefined;
  readonly #reuseBlocks: number;
  #current: ServedSnapshot | undefined;
  #taking: Promise<ServedSnapshot> | undefined;

  constructor(store: LedgerStore, options: { log?: Logger; reuseBlocks?: number } = {}) {
    this.#store = store;
    this.#log = options.log;
    this.#reuseBlocks = options.reuseBlocks ?? SNAPSHOT_REUSE_BLOCKS;
  }

  /** The snapshot to serve now: the kept one, or a new one if it is too old. */
  async latest(): Promise<ServedSnapshot> {
    const current = this.#current;
    if (
      current !== undefined &&
      this.#store.head().height - current.manifest.height < this.#reuseBlocks
    ) {
      return current;
    }
    // One at a time: concurrent requests share the snapshot being taken.
    this.#taking ??= takeSnapshot(this.#store).finally(() => {
      this.#taking = undefined;
    });
    const taken = await this.#taking;
    if (this.#current === undefined || taken.manifest.height > this.#current.manifest.height) {
      this.#current = taken;
      this.#log?.info(
        {
          height: taken.manifest.height,
          chunks: taken.chunks.length,
          records: taken.records,
          ms: Math.round(taken.tookMs),
        },
        "state snapshot taken",
      );
    }
    return this.#current;
  }

  async manifest(): Promise<SnapshotManifestView> {
    const s = await this.latest();
    return {
      height: s.manifest.height,
      blockHash: toHex(s.manifest.blockHash),
      stateHash: toHex(s.manifest.stateHash),
      chunkCount: s.manifest.chunkCount,
      manifest: toHex(s.manifestBytes),
    };
  }

  async chunk(index: number, height: number | undefined): Promise<SnapshotChunkView> {
    const s = this.#current;
    if (s === undefined) {
      throw new SaylauError("node/not_found", "no snapshot taken yet: GET /v1/snapshot first");
    }
    if (height !== undefined && height !== s.manifest.height) {
      throw new SaylauError(
        "snapshot/stale",
        `this validator now serves the snapshot at height ${s.manifest.height}, not ${height}: fetch its manifest again`,
        { height: s.manifest.height },
      );
    }
    const chunk = s.chunks[index];
    if (chunk === undefined) {
      throw new SaylauError(
        "node/not_found",
        `the snapshot at height ${s.manifest.height} has ${s.chunks.length} chunks`,
      );
    }
    return { height: s.manifest.height, index, chunk: toHex(chunk) };
  }
}
