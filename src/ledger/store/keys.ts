/**
 * LevelDB key layout: one prefix byte per record kind, then fixed-width big-endian fields,
 * so keys of one kind sort in height (or index) order and range scans are plain iterators.
 */
export const PREFIX = {
  manifest: 0x01,
  head: 0x02,
  /**
   * A state-synced store's base: the header of the snapshot's block, below which the store
   * holds no blocks, transactions or log nodes (src/node/state-sync.ts).
   */
  snapshotBase: 0x03,
  block: 0x10,
  certificate: 0x11,
  heightByHash: 0x12,
  txLocation: 0x13,
  merkleNode: 0x14,
  credential: 0x15,
  state: 0x16,
  /** node/ keeps its consensus WAL and pending pool under these prefixes in the same DB. */
  wal: 0x20,
  pool: 0x21,
  /** Equivocation evidence, by its id (src/node/evidence-pool.ts). */
  evidence: 0x22,
  /** Pending transactions that left the pool without being committed, by id, with why. */
  dropped: 0x23,
  /**
   * Written by `saylau node resync`: the highest height this validator may have signed at
   * before its chain was wiped; it signs nothing up to there (src/node/signing-fence.ts).
   */
  signingFence: 0x30,
} as const;

export function u64(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a u64: ${n}`);
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(n / 2 ** 32));
  view.setUint32(4, n % 2 ** 32);
  return out;
}

export function readU64(bytes: Uint8Array, offset = 0): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(offset) * 2 ** 32 + view.getUint32(offset + 4);
}

function key(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  let length = 1;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  out[0] = prefix;
  let offset = 1;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export const keys = {
  manifest: () => key(PREFIX.manifest),
  head: () => key(PREFIX.head),
  snapshotBase: () => key(PREFIX.snapshotBase),
  block: (height: number) => key(PREFIX.block, u64(height)),
  certificate: (height: number) => key(PREFIX.certificate, u64(height)),
  state: (height: number) => key(PREFIX.state, u64(height)),
  heightByHash: (hash: Uint8Array) => key(PREFIX.heightByHash, hash),
  txLocation: (txId: Uint8Array) => key(PREFIX.txLocation, txId),
  merkleNode: (level: number, index: number) =>
    key(PREFIX.merkleNode, Uint8Array.of(level), u64(index)),
  credential: (credential: Uint8Array) => key(PREFIX.credential, credential),
  signingFence: () => key(PREFIX.signingFence),
  /** First key after every key of this prefix: the exclusive upper bound of a scan. */
  prefixEnd: (prefix: number) => Uint8Array.of(prefix + 1),
  prefixStart: (prefix: number) => Uint8Array.of(prefix),
};
