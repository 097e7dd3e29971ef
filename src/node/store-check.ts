/**
 * The chain check a validator runs over its LevelDB store at every start, before it takes
 * part in anything. It trusts only the manifest and costs one pass over the stored blocks,
 * certificates and states, using what the store holds already (no ballot proof is checked
 * again: the certificates say a quorum checked them):
 *
 * - blocks: every height from 0 to the head is stored, and nothing above it; each block
 *   decodes canonically and names its height and the election; block 0 is the genesis the
 *   manifest implies; each block's prevHash is the hash of the one before; its transactions
 *   extend the transaction log to exactly its header's logSize and logRoot;
 * - certificates: heights 1 to the head, each for exactly that block's header hash, with a
 *   quorum of valid validator signatures;
 * - states: heights 0 to the head, each hashing (TAG.state) to its block's stateHash;
 * - and the head record names the last block (LedgerStore.open checks the head's log
 *   frontier against its logRoot).
 *
 * A state-synced store starts at its base b instead of genesis (ledger-store.ts): it holds
 * the header, certificate and state of block b and the log's frontier there, and blocks from
 * b + 1; the check is the same from b on, the base's certificate and frontier included.
 *
 * Anything else is `store/corrupt`, with the height and what disagrees, and so is anything
 * LevelDB reports as damage while these are read.
 */
import { certificateProblem, decodeCertificate } from "../consensus/certificate.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { TAG, taggedHash } from "../crypto/hash.ts";
import {
  appendLeaves,
  frontierFromNodes,
  frontierNodeIds,
  frontierRoot,
  leafHash,
} from "../crypto/merkle.ts";
import type { LedgerContext } from "../ledger/apply.ts";
import { decodeBlock, headerHash } from "../ledger/block.ts";
import { genesisBlock } from "../ledger/chain.ts";
import { keys, PREFIX, readU64 } from "../ledger/store/keys.ts";
import type { LedgerStore } from "../ledger/store/ledger-store.ts";

export interface ChainCheckReport {
  /** The head height: blocks 0..height were checked. */
  readonly height: number;
  readonly txs: number;
  /** Bytes of blocks, certificates and states read. */
  readonly bytes: number;
}

/** Every value stored under one key prefix, in key order, read without filling LevelDB's cache. */
async function* scan(
  store: LedgerStore,
  prefix: number,
  what: string,
): AsyncGenerator<{ height: number; value: Uint8Array }> {
  const it = store.db.iterator({
    gte: keys.prefixStart(prefix),
    lt: keys.prefixEnd(prefix),
    fillCache: false,
  });
  try {
    for (;;) {
      let entries: [Uint8Array, Uint8Array][];
      try {
        entries = await it.nextv(256);
      } catch (err) {
        throw store.readFailure(what, err);
      }
      if (entries.length === 0) return;
      for (const [key, value] of entries) {
        if (key.length !== 9) throw store.corrupt(`a ${what} key is ${key.length} bytes, not 9`);
        yield { height: readU64(key, 1), value };
      }
    }
  } finally {
    await it.close();
  }
}

export async function checkStoredChain(
  store: LedgerStore,
  ctx: LedgerContext,
): Promise<ChainCheckReport> {
  const head = store.head();
  const n = head.height + 1;
  const hashes = new Array<Uint8Array>(n);
  const stateHashes = new Array<Uint8Array>(n);
  const genesisHash = headerHash(genesisBlock(ctx).block.header);
  const base = store.base;
  const first = store.firstBlock;
  let frontier = frontierFromNodes(0, []);
  let txs = 0;
  let bytes = 0;
  if (base !== undefined) {
    const hash = headerHash(base.header);
    if (!bytesEqual(base.header.electionId, ctx.electionId)) {
      throw store.corrupt("the snapshot base is for another election", { height: base.height });
    }
    hashes[base.height] = hash;
    stateHashes[base.height] = base.header.stateHash;
    frontier = await baseFrontier(store, base.logSize);
    if (!bytesEqual(frontierRoot(frontier), base.header.logRoot)) {
      throw store.corrupt("the log frontier at the snapshot base does not give its logRoot", {
        height: base.height,
      });
    }
  }

  // Heights must come in order 0, 1, 2, ... with none missing and none above the head.
  const expectNext = (what: string, height: number, expected: number) => {
    if (height === expected && height <= head.height) return;
    const problem =
      height > head.height
        ? `${what} ${height} is stored above the head (${head.height})`
        : `${what} ${expected} is missing`;
    throw store.corrupt(problem, { height: Math.min(height, expected) });
  };
  const expectAll = (what: string, next: number) => {
    if (next !== n) throw store.corrupt(`${what} ${next} is missing`, { height: next });
  };

  let h = first;
  for await (const { height, value } of scan(store, PREFIX.block, "block")) {
    expectNext("block", height, h);
    bytes += value.length;
    const block = store.decodeStored(`block ${h}`, () => decodeBlock(value), { height: h });
    const header = block.header;
    const hash = headerHash(header);
    const fail = (problem: string) => store.corrupt(`block ${h}: ${problem}`, { height: h });
    if (header.height !== h) throw fail(`its header says height ${header.height}`);
    if (!bytesEqual(header.electionId, ctx.electionId)) throw fail("it is for another election");
    if (h === 0) {
      if (!bytesEqual(hash, genesisHash)) throw fail("it is not the manifest's genesis block");
    } else if (!bytesEqual(header.prevHash, hashes[h - 1]!)) {
      throw fail("its prevHash is not the hash of the block before it");
    }
    if (header.txCount !== block.txs.length) throw fail("txCount does not match its transactions");
    frontier = appendLeaves(frontier, block.txs.map(leafHash)).frontier;
    if (frontier.size !== header.logSize || !bytesEqual(frontierRoot(frontier), header.logRoot)) {
      throw fail("its transactions do not give its header's logSize and logRoot");
    }
    txs += block.txs.length;
    hashes[h] = hash;
    stateHashes[h] = header.stateHash;
    h++;
  }
  expectAll("block", h);
  if (!bytesEqual(hashes[head.height]!, head.hash)) {
    throw store.corrupt("the head record does not name the last stored block", {
      height: head.height,
    });
  }

  const validators = ctx.manifest.validators.map((v) => v.publicKey);
  h = base?.height ?? 1;
  for await (const { height, value } of scan(store, PREFIX.certificate, "certificate")) {
    expectNext("certificate of block", height, h);
    bytes += value.length;
    const certificate = store.decodeStored(`certificate ${h}`, () => decodeCertificate(value), {
      height: h,
    });
    if (certificate.height !== h || !bytesEqual(certificate.blockHash, hashes[h]!)) {
      throw store.corrupt(
        `the certificate stored for block ${h} is for block ${certificate.height} ${toHex(certificate.blockHash)}, not ${toHex(hashes[h]!)}`,
        { height: h },
      );
    }
    const problem = certificateProblem(ctx.electionId, validators, certificate);
    if (problem !== null) {
      throw store.corrupt(`the certificate of block ${h} does not verify: ${problem.message}`, {
        height: h,
        cause: problem.code,
      });
    }
    h++;
  }
  expectAll("certificate of block", h);

  // The store keeps the head's state only (stores written before it kept every height's, so
  // earlier states may be there too): the head's must be, and each one there must hash to
  // its block's stateHash.
  let headState = false;
  for await (const { height, value } of scan(store, PREFIX.state, "state")) {
    if (height > head.height) {
      throw store.corrupt(`state after block ${height} is stored above the head (${head.height})`, {
        height,
      });
    }
    bytes += value.length;
    const expected = stateHashes[height];
    if (expected === undefined) {
      throw store.corrupt(
        `a state is stored after block ${height}, which this store does not hold`,
        {
          height,
        },
      );
    }
    if (!bytesEqual(taggedHash(TAG.state, value), expected)) {
      throw store.corrupt(`the state stored after block ${height} does not hash to its stateHash`, {
        height,
      });
    }
    headState ||= height === head.height;
  }
  if (!headState) {
    throw store.corrupt(`state after block ${head.height} is missing`, { height: head.height });
  }
  return { height: head.height, txs, bytes };
}

/** The frontier stored at a state-synced store's base (its nodes are stored individually). */
async function baseFrontier(store: LedgerStore, logSize: number) {
  const ids = frontierNodeIds(logSize);
  const hashes: Uint8Array[] = [];
  for (const id of ids) {
    let v: Uint8Array | undefined;
    try {
      v = await store.db.get(keys.merkleNode(id.level, id.index));
    } catch (err) {
      throw store.readFailure("the log frontier at the snapshot base", err);
    }
    if (v === undefined || v.length !== 32) {
      throw store.corrupt(`log node (${id.level}, ${id.index}) of the snapshot base is missing`);
    }
    hashes.push(v);
  }
  return frontierFromNodes(logSize, hashes);
}
