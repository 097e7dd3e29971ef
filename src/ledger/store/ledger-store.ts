/**
 * LevelDB persistence of the committed ledger: blocks by height and by hash, certificates,
 * the state after the head block, tx id -> location, credential records, and the RFC 9162
 * perfect-subtree hashes, so any inclusion or consistency proof for any past size costs
 * O(log n) reads.
 *
 * Every block goes in with everything derived from it in one atomic batch, head record
 * last in the same batch: after a crash the store holds either all of a block or none of
 * it. Nothing committed is ever overwritten or deleted, except the state after the block
 * before, which the new head's state replaces in the same batch; `append` refuses anything
 * but the next height on top of the current head.
 *
 * What the store reads back was written by itself, canonically: a value that does not decode,
 * a missing record, or a read LevelDB reports as corruption is `store/corrupt` (the disk's
 * fault, a 500 at the API), never a codec error that would blame whoever asked.
 */
import { Level } from "level";
import { bytes, decodeWith, encodeWith, struct, uint } from "../../codec/schema.ts";
import { bytesEqual } from "../../crypto/bytes.ts";
import { HASH_LENGTH } from "../../crypto/hash.ts";
import {
  appendLeaves,
  buildConsistencyProof,
  buildInclusionProof,
  consistencyProofNodeIds,
  type Frontier,
  frontierFromNodes,
  frontierNodeIds,
  frontierRoot,
  inclusionProofNodeIds,
  leafHash,
  rootAtSize,
  rootAtSizeNodeIds,
} from "../../crypto/merkle.ts";
import { SaylauError } from "../../errors.ts";
import {
  type Block,
  type BlockHeader,
  decodeBlock,
  encodeBlock,
  headerCodec,
  headerHash,
} from "../block.ts";
import { keys, PREFIX, readU64, u64 } from "./keys.ts";
import { isLevelCorruption, isLevelReadFailure } from "./level-errors.ts";

export interface CommitEntry {
  readonly block: Block;
  /** Canonical commit certificate bytes; the caller has verified them against the manifest. */
  readonly certificate: Uint8Array;
  /** Canonical election state after the block (its hash is header.stateHash). */
  readonly state: Uint8Array;
  /** Credential records the block changed, written in the same batch. */
  readonly credentialWrites: readonly {
    readonly credential: Uint8Array;
    readonly record: Uint8Array;
  }[];
}

export interface TxLocation {
  readonly height: number;
  readonly index: number;
  readonly leafIndex: number;
}

export interface Head {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
}

const headRecordCodec = struct({ height: uint(), hash: bytes(HASH_LENGTH) });

/** A head record (resync reads one from a damaged store without opening it as a LedgerStore). */
export function decodeHeadRecord(bytes: Uint8Array): { height: number; hash: Uint8Array } {
  return decodeWith(headRecordCodec, bytes);
}

const txLocationCodec = struct({ height: uint(), index: uint(), leafIndex: uint() });

/** A state-synced store's base: the snapshot block's header (its certificate is stored too). */
const snapshotBaseCodec = struct({ header: headerCodec });

/** What a verified state snapshot puts into an empty store (src/node/state-sync.ts). */
export interface SnapshotEntry {
  readonly manifest: Uint8Array;
  readonly header: BlockHeader;
  /** Canonical commit certificate of `header`, verified against the manifest. */
  readonly certificate: Uint8Array;
  /** Canonical state after the block; hashes to header.stateHash. */
  readonly state: Uint8Array;
  /** The log's frontier at header.logSize; folds to header.logRoot. */
  readonly frontier: readonly Uint8Array[];
  /** Every credential record, in batches (one LevelDB batch each). */
  readonly records: AsyncIterable<
    readonly { readonly credential: Uint8Array; readonly record: Uint8Array }[]
  >;
}

/** The lowest height a state-synced store holds a header for, and the log size there. */
export interface StoreBase {
  readonly height: number;
  readonly logSize: number;
  readonly header: BlockHeader;
}

type NodeId = { level: number; index: number };

export class LedgerStore {
  readonly db: Level<Uint8Array, Uint8Array>;
  #head: Head | undefined;
  #frontier: Frontier | undefined;
  #manifest: Uint8Array | undefined;
  #base: StoreBase | undefined;
  /** Appends run one at a time, in call order. */
  #writeQueue: Promise<unknown> = Promise.resolve();
  #corruption: SaylauError | undefined;
  /** Told of every corruption found after open (the node logs it). */
  onCorrupt: ((err: SaylauError) => void) | undefined;

  private constructor(db: Level<Uint8Array, Uint8Array>) {
    this.db = db;
  }

  static async open(path: string): Promise<LedgerStore> {
    const db = new Level<Uint8Array, Uint8Array>(path, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as Error).cause as Error | undefined;
      const message = `cannot open ledger store at ${path}: ${(err as Error).message}${cause === undefined ? "" : ` (${cause.message})`}`;
      throw new SaylauError(
        isLevelCorruption(err) ? "store/corrupt" : "store/open_failed",
        message,
        {
          path,
        },
      );
    }
    const store = new LedgerStore(db);
    await store.#load();
    return store;
  }

  /** The first corruption found since open, if any (health reports it). */
  get corruption(): SaylauError | undefined {
    return this.#corruption;
  }

  /** A store/corrupt error, remembered and reported to onCorrupt; the caller throws it. */
  corrupt(message: string, details: Record<string, unknown> = {}): SaylauError {
    const err = new SaylauError("store/corrupt", message, details);
    this.#corruption ??= err;
    this.onCorrupt?.(err);
    return err;
  }

  /** Decodes a value read from this store: if it does not decode, the store is corrupt. */
  decodeStored<T>(what: string, decode: () => T, details: Record<string, unknown> = {}): T {
    try {
      return decode();
    } catch (err) {
      throw this.corrupt(`stored ${what} does not decode: ${(err as Error).message}`, details);
    }
  }

  /** What LevelDB reports as damaged data (or a failed disk read) becomes store/corrupt. */
  readFailure(what: string, err: unknown): unknown {
    if (!isLevelReadFailure(err)) return err;
    return this.corrupt(`reading ${what}: ${(err as Error).message}`, {
      levelCode: (err as { code?: string }).code,
    });
  }

  async #get(what: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      return await this.db.get(key);
    } catch (err) {
      throw this.readFailure(what, err);
    }
  }

  async #getMany(what: string, keyList: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    try {
      return await this.db.getMany(keyList);
    } catch (err) {
      throw this.readFailure(what, err);
    }
  }

  async #load(): Promise<void> {
    const headBytes = await this.#get("the head record", keys.head());
    if (headBytes === undefined) return;
    const record = this.decodeStored("head record", () => decodeHeadRecord(headBytes));
    const manifest = await this.#get("the manifest", keys.manifest());
    const baseBytes = await this.#get("the snapshot base", keys.snapshotBase());
    if (baseBytes !== undefined) {
      const { header } = this.decodeStored("snapshot base", () =>
        decodeWith(snapshotBaseCodec, baseBytes),
      );
      this.#base = { height: header.height, logSize: header.logSize, header };
    }
    const blockBytes = await this.#get(`block ${record.height}`, keys.block(record.height));
    // A state-synced store whose head is still its base holds that block's header only.
    const header =
      blockBytes === undefined
        ? this.#base?.height === record.height
          ? this.#base.header
          : undefined
        : this.decodeStored(`block ${record.height}`, () => decodeBlock(blockBytes).header, {
            height: record.height,
          });
    if (manifest === undefined || header === undefined) {
      throw this.corrupt("head record points at a block or manifest that is not stored", {
        height: record.height,
      });
    }
    const block = { header };
    if (!bytesEqual(headerHash(block.header), record.hash)) {
      throw this.corrupt("head block does not hash to the head record", {
        height: record.height,
      });
    }
    this.#manifest = manifest;
    this.#head = { height: record.height, hash: record.hash, header: block.header };
    this.#frontier = await this.#loadFrontier(block.header.logSize);
    if (!bytesEqual(frontierRoot(this.#frontier), block.header.logRoot)) {
      throw this.corrupt("persisted Merkle nodes do not give the head's logRoot", {
        height: record.height,
      });
    }
  }

  async #loadFrontier(size: number): Promise<Frontier> {
    const ids = frontierNodeIds(size);
    const hashes = await this.#nodes(ids);
    return frontierFromNodes(size, hashes);
  }

  async #nodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    if (ids.length === 0) return [];
    const values = await this.#getMany(
      "Merkle nodes",
      ids.map((id) => keys.merkleNode(id.level, id.index)),
    );
    return values.map((v, i) => {
      const id = ids[i]!;
      if (
        v === undefined &&
        this.#base !== undefined &&
        (id.index + 1) * 2 ** id.level <= this.#base.logSize
      ) {
        throw new SaylauError(
          "store/pruned",
          `this validator was state-synced at height ${this.#base.height} and holds no log nodes for its first ${this.#base.logSize} transactions`,
          { base: this.#base.height },
        );
      }
      if (v === undefined || v.length !== HASH_LENGTH) {
        throw this.corrupt(
          `Merkle node (${ids[i]!.level}, ${ids[i]!.index}) ${v === undefined ? "missing" : "is not a hash"}`,
        );
      }
      return v;
    });
  }

  async #lookup(ids: readonly NodeId[]): Promise<(level: number, index: number) => Uint8Array> {
    const hashes = await this.#nodes(ids);
    const map = new Map<string, Uint8Array>();
    ids.forEach((id, i) => {
      map.set(`${id.level}/${id.index}`, hashes[i]!);
    });
    return (level, index) => {
      const h = map.get(`${level}/${index}`);
      if (h === undefined) throw this.corrupt(`Merkle node (${level}, ${index}) not loaded`);
      return h;
    };
  }

  get initialized(): boolean {
    return this.#head !== undefined;
  }

  /**
   * A state-synced store's base (undefined: the store holds the chain from genesis): it has
   * the header, certificate and state of block `height`, and no block, transaction or log
   * node of height `height` or below but the log's frontier there.
   */
  get base(): StoreBase | undefined {
    return this.#base;
  }

  /** The lowest height whose block (with transactions) this store holds: 0, or base + 1. */
  get firstBlock(): number {
    return this.#base === undefined ? 0 : this.#base.height + 1;
  }

  /**
   * Fills an empty store from a verified state snapshot. The records go in batches first; the
   * base, state, certificate, frontier and head record go last in one batch, so a store
   * interrupted midway has no head (the caller builds it in a staging directory anyway).
   */
  installSnapshot(entry: SnapshotEntry): Promise<void> {
    return this.#serialize(async () => {
      if (this.#head !== undefined)
        throw new SaylauError("store/already_initialized", "the store already holds a chain");
      const h = entry.header;
      const frontier = frontierFromNodes(h.logSize, entry.frontier);
      if (!bytesEqual(frontierRoot(frontier), h.logRoot)) {
        throw new SaylauError(
          "store/bad_snapshot",
          "the frontier does not give the header's logRoot",
        );
      }
      for await (const batch of entry.records) {
        await this.db.batch(
          batch.map((r) => ({
            type: "put" as const,
            key: keys.credential(r.credential),
            value: r.record,
          })),
        );
      }
      const hash = headerHash(h);
      const ops: { type: "put"; key: Uint8Array; value: Uint8Array }[] = [
        { type: "put", key: keys.manifest(), value: entry.manifest },
        {
          type: "put",
          key: keys.snapshotBase(),
          value: encodeWith(snapshotBaseCodec, { header: h }),
        },
        { type: "put", key: keys.certificate(h.height), value: entry.certificate },
        { type: "put", key: keys.state(h.height), value: entry.state },
        { type: "put", key: keys.heightByHash(hash), value: u64(h.height) },
      ];
      frontierNodeIds(h.logSize).forEach((id, i) => {
        ops.push({
          type: "put",
          key: keys.merkleNode(id.level, id.index),
          value: frontier.hashes[i]!,
        });
      });
      ops.push({
        type: "put",
        key: keys.head(),
        value: encodeWith(headRecordCodec, { height: h.height, hash }),
      });
      await this.db.batch(ops);
      this.#manifest = entry.manifest;
      this.#base = { height: h.height, logSize: h.logSize, header: h };
      this.#frontier = frontier;
      this.#head = { height: h.height, hash, header: h };
    });
  }

  /**
   * Runs `job` between two appends: what it reads (and any LevelDB iterator it creates, which
   * reads from a snapshot taken when it is created) is the store exactly as of one head.
   */
  betweenAppends<T>(job: () => Promise<T>): Promise<T> {
    return this.#serialize(job);
  }

  /** The head of the committed chain; throws before `initialize`. */
  head(): Head {
    if (this.#head === undefined)
      throw new SaylauError("store/not_initialized", "the ledger has no genesis yet");
    return this.#head;
  }

  manifest(): Uint8Array {
    if (this.#manifest === undefined)
      throw new SaylauError("store/not_initialized", "the ledger has no genesis yet");
    return this.#manifest;
  }

  /** The log's compact range at the head: what the next block's transactions extend. */
  frontier(): Frontier {
    if (this.#frontier === undefined)
      throw new SaylauError("store/not_initialized", "the ledger has no genesis yet");
    return this.#frontier;
  }

  /** Size of the transaction log at the head. */
  logSize(): number {
    return this.#frontier?.size ?? 0;
  }

  /** Write the manifest and the genesis block (height 0, no transactions, no certificate). */
  initialize(manifest: Uint8Array, genesis: Block, genesisState: Uint8Array): Promise<void> {
    return this.#serialize(async () => {
      if (this.#head !== undefined)
        throw new SaylauError("store/already_initialized", "genesis is already stored");
      const h = genesis.header;
      if (h.height !== 0 || genesis.txs.length !== 0 || h.logSize !== 0) {
        throw new SaylauError("store/bad_genesis", "genesis must be height 0 with no transactions");
      }
      const empty = frontierFromNodes(0, []);
      if (!bytesEqual(frontierRoot(empty), h.logRoot)) {
        throw new SaylauError("store/bad_genesis", "genesis logRoot must be the empty-tree root");
      }
      const hash = headerHash(h);
      await this.db.batch([
        { type: "put", key: keys.manifest(), value: manifest },
        { type: "put", key: keys.block(0), value: encodeBlock(genesis) },
        { type: "put", key: keys.state(0), value: genesisState },
        { type: "put", key: keys.heightByHash(hash), value: u64(0) },
        { type: "put", key: keys.head(), value: encodeWith(headRecordCodec, { height: 0, hash }) },
      ]);
      this.#manifest = manifest;
      this.#frontier = empty;
      this.#head = { height: 0, hash, header: h };
    });
  }

  /**
   * Append the next block. Checks what the store itself can: next height, prevHash, election
   * id, txCount, and that the transactions extend the log to exactly header.logSize and
   * header.logRoot. Validity of the transactions is the state machine's job, before this.
   */
  append(entry: CommitEntry): Promise<Head> {
    return this.#serialize(async () => {
      const head = this.head();
      const frontier = this.#frontier!;
      const { header, txs } = entry.block;
      if (header.height !== head.height + 1) {
        throw new SaylauError(
          "store/not_next",
          `expected height ${head.height + 1}, got ${header.height}`,
          {
            expected: head.height + 1,
            got: header.height,
          },
        );
      }
      if (!bytesEqual(header.prevHash, head.hash)) {
        throw new SaylauError(
          "store/wrong_parent",
          `block ${header.height} does not extend the stored head`,
          {
            height: header.height,
          },
        );
      }
      if (!bytesEqual(header.electionId, head.header.electionId)) {
        throw new SaylauError("store/wrong_election", "block belongs to another election");
      }
      if (header.txCount !== txs.length) {
        throw new SaylauError("store/bad_block", "txCount does not match the transactions carried");
      }
      const leafHashes = txs.map((tx) => leafHash(tx));
      const appended = appendLeaves(frontier, leafHashes);
      if (
        appended.frontier.size !== header.logSize ||
        !bytesEqual(frontierRoot(appended.frontier), header.logRoot)
      ) {
        throw new SaylauError(
          "store/bad_log_root",
          "transactions do not extend the log to the header's logRoot",
          {
            height: header.height,
          },
        );
      }
      const duplicates = await this.#getMany(
        "transaction locations",
        leafHashes.map((id) => keys.txLocation(id)),
      );
      const seen = new Set<string>();
      for (const [i, id] of leafHashes.entries()) {
        const k = Buffer.from(id).toString("hex");
        if (duplicates[i] !== undefined || seen.has(k)) {
          throw new SaylauError("store/duplicate_tx", `transaction ${k} is already in the ledger`, {
            txId: k,
          });
        }
        seen.add(k);
      }
      const hash = headerHash(header);
      const firstLeaf = frontier.size;
      const ops: (
        | { type: "put"; key: Uint8Array; value: Uint8Array }
        | { type: "del"; key: Uint8Array }
      )[] = [
        { type: "put", key: keys.block(header.height), value: encodeBlock(entry.block) },
        { type: "put", key: keys.certificate(header.height), value: entry.certificate },
        { type: "put", key: keys.state(header.height), value: entry.state },
        // Only the head's state is kept: with 200 districts a state is about 300 KB, more
        // than most blocks, and a node needs only the head's (to resume; any other height's
        // state is recomputed by replaying the blocks, as an auditor does).
        { type: "del", key: keys.state(header.height - 1) },
        { type: "put", key: keys.heightByHash(hash), value: u64(header.height) },
      ];
      for (const [index, id] of leafHashes.entries()) {
        ops.push({
          type: "put",
          key: keys.txLocation(id),
          value: encodeWith(txLocationCodec, {
            height: header.height,
            index,
            leafIndex: firstLeaf + index,
          }),
        });
      }
      for (const node of appended.newNodes) {
        ops.push({ type: "put", key: keys.merkleNode(node.level, node.index), value: node.hash });
      }
      for (const w of entry.credentialWrites) {
        ops.push({ type: "put", key: keys.credential(w.credential), value: w.record });
      }
      ops.push({
        type: "put",
        key: keys.head(),
        value: encodeWith(headRecordCodec, { height: header.height, hash }),
      });
      await this.db.batch(ops);
      this.#frontier = appended.frontier;
      this.#head = { height: header.height, hash, header };
      return this.#head;
    });
  }

  #serialize<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#writeQueue.then(job, job);
    this.#writeQueue = run.catch(() => undefined);
    return run;
  }

  async blockBytes(height: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(height) || height < 0) return undefined;
    return this.#get(`block ${height}`, keys.block(height));
  }

  async block(height: number): Promise<Block | undefined> {
    const b = await this.blockBytes(height);
    return b === undefined ? undefined : this.decodeBlockAt(height, b);
  }

  /** Decodes block bytes read from this store (a failure is corruption, with the height). */
  decodeBlockAt(height: number, bytes: Uint8Array): Block {
    return this.decodeStored(`block ${height}`, () => decodeBlock(bytes), { height });
  }

  async heightOf(hash: Uint8Array): Promise<number | undefined> {
    if (hash.length !== HASH_LENGTH) return undefined;
    const v = await this.#get("a block's height by hash", keys.heightByHash(hash));
    if (v === undefined) return undefined;
    if (v.length !== 8) throw this.corrupt("a height-by-hash record is not 8 bytes");
    return readU64(v);
  }

  async certificate(height: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(height) || height < 1) return undefined;
    return this.#get(`the certificate of block ${height}`, keys.certificate(height));
  }

  async stateAt(height: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(height) || height < 0) return undefined;
    return this.#get(`the state after block ${height}`, keys.state(height));
  }

  async txLocation(txId: Uint8Array): Promise<TxLocation | undefined> {
    if (txId.length !== HASH_LENGTH) return undefined;
    const v = await this.#get("a transaction location", keys.txLocation(txId));
    return v === undefined
      ? undefined
      : this.decodeStored("transaction location", () => decodeWith(txLocationCodec, v));
  }

  async credentialRecords(credentials: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (credentials.length === 0) return [];
    return this.#getMany(
      "credential records",
      credentials.map((c) => keys.credential(c)),
    );
  }

  /** RFC 9162 inclusion proof of leaf `leafIndex` in the tree of size `treeSize` (<= head). */
  async inclusionProof(
    leafIndex: number,
    treeSize: number = this.logSize(),
  ): Promise<Uint8Array[]> {
    this.#checkSize(treeSize);
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
      throw new SaylauError(
        "store/bad_range",
        `leaf ${leafIndex} is not in a tree of size ${treeSize}`,
      );
    }
    const lookup = await this.#lookup(inclusionProofNodeIds(leafIndex, treeSize));
    return buildInclusionProof(leafIndex, treeSize, lookup);
  }

  /** RFC 9162 consistency proof between two sizes of the log (size1 <= size2 <= head). */
  async consistencyProof(size1: number, size2: number): Promise<Uint8Array[]> {
    this.#checkSize(size2);
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2) {
      throw new SaylauError(
        "store/bad_range",
        `cannot prove consistency from ${size1} to ${size2}`,
      );
    }
    const lookup = await this.#lookup(consistencyProofNodeIds(size1, size2));
    return buildConsistencyProof(size1, size2, lookup);
  }

  /** Root of the log at any past size, from persisted nodes. */
  async rootAt(size: number): Promise<Uint8Array> {
    this.#checkSize(size);
    const lookup = await this.#lookup(rootAtSizeNodeIds(size));
    return rootAtSize(size, lookup);
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.logSize()) {
      throw new SaylauError(
        "store/bad_range",
        `the log has ${this.logSize()} entries, not ${size}`,
        {
          size,
          logSize: this.logSize(),
        },
      );
    }
  }

  /**
   * Stored blocks with heights in [from, to], in order, read by one range scan; it stops
   * before a block that would take the blocks' total size past `maxBytes` (the first block
   * is always given, whatever its size).
   */
  async *blocksInRange(
    from: number,
    to: number,
    maxBytes = Number.POSITIVE_INFINITY,
  ): AsyncGenerator<{ height: number; block: Uint8Array }> {
    const last = Math.min(to, this.head().height);
    if (from > last) return;
    const blocks = this.db.iterator({ gte: keys.block(from), lte: keys.block(last) });
    let bytes = 0;
    try {
      for (;;) {
        let entry: [Uint8Array, Uint8Array] | undefined;
        try {
          entry = await blocks.next();
        } catch (err) {
          throw this.readFailure(`blocks ${from} to ${last}`, err);
        }
        if (entry === undefined) return;
        if (bytes > 0 && bytes + entry[1].length > maxBytes) return;
        bytes += entry[1].length;
        yield { height: readU64(entry[0], 1), block: entry[1] };
      }
    } finally {
      await blocks.close();
    }
  }

  async close(): Promise<void> {
    await this.#writeQueue;
    await this.db.close();
  }
}

export { PREFIX };
