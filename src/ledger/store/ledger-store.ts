/**
 * LevelDB persistence of the committed ledger: blocks by height and by hash, certificates,
 * the state after every block, tx id -> location, credential records, and the RFC 9162
 * perfect-subtree hashes, so any inclusion or consistency proof for any past size costs
 * O(log n) reads.
 *
 * Every block goes in with everything derived from it in one atomic batch, head record
 * last in the same batch: after a crash the store holds either all of a block or none of
 * it. Nothing committed is ever overwritten or deleted; `append` refuses anything but the
 * next height on top of the current head.
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
import { type Block, type BlockHeader, decodeBlock, encodeBlock, headerHash } from "../block.ts";
import { keys, PREFIX, readU64, u64 } from "./keys.ts";

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
const txLocationCodec = struct({ height: uint(), index: uint(), leafIndex: uint() });

type NodeId = { level: number; index: number };

export class LedgerStore {
  readonly db: Level<Uint8Array, Uint8Array>;
  #head: Head | undefined;
  #frontier: Frontier | undefined;
  #manifest: Uint8Array | undefined;
  /** Appends run one at a time, in call order. */
  #writeQueue: Promise<unknown> = Promise.resolve();

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
      throw new SaylauError(
        "store/open_failed",
        `cannot open ledger store at ${path}: ${(err as Error).message}`,
        {
          path,
        },
      );
    }
    const store = new LedgerStore(db);
    await store.#load();
    return store;
  }

  async #load(): Promise<void> {
    const headBytes = await this.db.get(keys.head());
    if (headBytes === undefined) return;
    const record = decodeWith(headRecordCodec, headBytes);
    const manifest = await this.db.get(keys.manifest());
    const blockBytes = await this.db.get(keys.block(record.height));
    if (manifest === undefined || blockBytes === undefined) {
      throw new SaylauError(
        "store/corrupt",
        "head record points at a block or manifest that is not stored",
        {
          height: record.height,
        },
      );
    }
    const block = decodeBlock(blockBytes);
    if (!bytesEqual(headerHash(block.header), record.hash)) {
      throw new SaylauError("store/corrupt", "head block does not hash to the head record", {
        height: record.height,
      });
    }
    this.#manifest = manifest;
    this.#head = { height: record.height, hash: record.hash, header: block.header };
    this.#frontier = await this.#loadFrontier(block.header.logSize);
    if (!bytesEqual(frontierRoot(this.#frontier), block.header.logRoot)) {
      throw new SaylauError(
        "store/corrupt",
        "persisted Merkle nodes do not give the head's logRoot",
        {
          height: record.height,
        },
      );
    }
  }

  async #loadFrontier(size: number): Promise<Frontier> {
    const ids = frontierNodeIds(size);
    const hashes = await this.#nodes(ids);
    return frontierFromNodes(size, hashes);
  }

  async #nodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    if (ids.length === 0) return [];
    const values = await this.db.getMany(ids.map((id) => keys.merkleNode(id.level, id.index)));
    return values.map((v, i) => {
      if (v === undefined) {
        throw new SaylauError(
          "store/corrupt",
          `Merkle node (${ids[i]!.level}, ${ids[i]!.index}) missing`,
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
      if (h === undefined)
        throw new SaylauError("store/corrupt", `Merkle node (${level}, ${index}) not loaded`);
      return h;
    };
  }

  get initialized(): boolean {
    return this.#head !== undefined;
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
      const duplicates = await this.db.getMany(leafHashes.map((id) => keys.txLocation(id)));
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
      const ops: { type: "put"; key: Uint8Array; value: Uint8Array }[] = [
        { type: "put", key: keys.block(header.height), value: encodeBlock(entry.block) },
        { type: "put", key: keys.certificate(header.height), value: entry.certificate },
        { type: "put", key: keys.state(header.height), value: entry.state },
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
    return this.db.get(keys.block(height));
  }

  async block(height: number): Promise<Block | undefined> {
    const b = await this.blockBytes(height);
    return b === undefined ? undefined : decodeBlock(b);
  }

  async heightOf(hash: Uint8Array): Promise<number | undefined> {
    if (hash.length !== HASH_LENGTH) return undefined;
    const v = await this.db.get(keys.heightByHash(hash));
    return v === undefined ? undefined : readU64(v);
  }

  async certificate(height: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(height) || height < 1) return undefined;
    return this.db.get(keys.certificate(height));
  }

  async stateAt(height: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(height) || height < 0) return undefined;
    return this.db.get(keys.state(height));
  }

  async txLocation(txId: Uint8Array): Promise<TxLocation | undefined> {
    if (txId.length !== HASH_LENGTH) return undefined;
    const v = await this.db.get(keys.txLocation(txId));
    return v === undefined ? undefined : decodeWith(txLocationCodec, v);
  }

  async credentialRecords(credentials: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (credentials.length === 0) return [];
    return this.db.getMany(credentials.map((c) => keys.credential(c)));
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

  /** Stored blocks with heights in [from, to], in order, read by one range scan. */
  async *blocksInRange(
    from: number,
    to: number,
  ): AsyncGenerator<{ height: number; block: Uint8Array }> {
    const last = Math.min(to, this.head().height);
    if (from > last) return;
    for await (const [k, v] of this.db.iterator({ gte: keys.block(from), lte: keys.block(last) })) {
      yield { height: readU64(k, 1), block: v };
    }
  }

  async close(): Promise<void> {
    await this.#writeQueue;
    await this.db.close();
  }
}

export { PREFIX };
