/**
 * Checks one LevelDB table file (doc/table_format.md of LevelDB 1.20) the way LevelDB would
 * with `verify_checksums` on, which classic-level cannot turn on: every block's masked
 * CRC-32C and compression type, the footer's magic number and padding, and that the blocks
 * the index and meta-index name tile the file exactly, so that no byte goes unchecked.
 *
 * Why it matters: without checksums LevelDB reads a damaged block as whatever it decodes to.
 * Damaged keys come out in the wrong order, and the next compaction that reads them stops
 * the process on an assertion (table_builder.cc, `Compare(key, last_key) > 0`).
 */
import { crc32c, maskCrc } from "./crc32c.ts";
import { readVarint } from "./leveldb-log.ts";
import { snappyDecompress } from "./snappy.ts";

const FOOTER_SIZE = 48;
const TRAILER_SIZE = 5;
const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;

export interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

/** A damaged table: where, and what is wrong there. */
export class TableDamage extends Error {
  readonly offset: number;
  constructor(offset: number, reason: string) {
    super(reason);
    this.offset = offset;
  }
}

function u32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
  );
}

/** A varint as LevelDB writes it: shortest form (a longer one decodes the same, so flag it). */
function minimalVarint(bytes: Uint8Array, pos: number): [number, number] {
  const [value, next] = readVarint(bytes, pos);
  if (next - pos > 1 && bytes[next - 1] === 0) throw new Error("varint not in shortest form");
  return [value, next];
}

function readHandle(bytes: Uint8Array, pos: number): [BlockHandle, number] {
  const [offset, p1] = minimalVarint(bytes, pos);
  const [size, p2] = minimalVarint(bytes, p1);
  return [{ offset, size }, p2];
}

/** Checks a block's checksum and compression type (0 none, 1 snappy); returns the type. */
function verifyBlock(file: Uint8Array, handle: BlockHandle): number {
  const { offset, size } = handle;
  if (offset + size + TRAILER_SIZE > file.length - FOOTER_SIZE) {
    throw new TableDamage(offset, `block of ${size} bytes at ${offset} runs past the data`);
  }
  if (maskCrc(crc32c(file, offset, offset + size + 1)) !== u32(file, offset + size + 1)) {
    throw new TableDamage(offset, `block checksum mismatch (block at ${offset}, ${size} bytes)`);
  }
  const type = file[offset + size]!;
  if (type > 1) throw new TableDamage(offset, `bad block type ${type} (block at ${offset})`);
  return type;
}

/** The block's contents (decompressed), after checking its checksum and type. */
export function readTableBlock(file: Uint8Array, handle: BlockHandle): Uint8Array {
  const type = verifyBlock(file, handle);
  const contents = file.subarray(handle.offset, handle.offset + handle.size);
  if (type === 0) return contents;
  try {
    return snappyDecompress(contents);
  } catch (err) {
    throw new TableDamage(handle.offset, `corrupted compressed block: ${(err as Error).message}`);
  }
}

/** The (key, value) entries of a block (prefix-compressed keys, restart array at the end). */
export function blockEntries(block: Uint8Array, at = 0): { key: Uint8Array; value: Uint8Array }[] {
  if (block.length < 4) throw new TableDamage(at, "block too short for its restart count");
  const restarts = u32(block, block.length - 4);
  if (restarts > (block.length - 4) / 4) throw new TableDamage(at, "bad restart count");
  const limit = block.length - 4 * (restarts + 1);
  const out: { key: Uint8Array; value: Uint8Array }[] = [];
  let last = new Uint8Array(0);
  let p = 0;
  try {
    while (p < limit) {
      let shared: number;
      let unshared: number;
      let valueLength: number;
      [shared, p] = readVarint(block, p);
      [unshared, p] = readVarint(block, p);
      [valueLength, p] = readVarint(block, p);
      if (shared > last.length || p + unshared + valueLength > limit) {
        throw new Error("entry runs past the block");
      }
      const key = new Uint8Array(shared + unshared);
      key.set(last.subarray(0, shared));
      key.set(block.subarray(p, p + unshared), shared);
      p += unshared;
      out.push({ key, value: block.subarray(p, p + valueLength) });
      p += valueLength;
      last = key;
    }
  } catch (err) {
    throw new TableDamage(at, `bad block entry: ${(err as Error).message}`);
  }
  return out;
}

/**
 * The index of a table: for each data block, a key at or after its last key and its handle.
 * Throws TableDamage if the footer or the index block is damaged.
 */
export function tableIndex(file: Uint8Array): {
  index: { key: Uint8Array; handle: BlockHandle }[];
  metaindex: BlockHandle;
  indexHandle: BlockHandle;
} {
  const footerAt = file.length - FOOTER_SIZE;
  if (footerAt < 0) throw new TableDamage(0, `${file.length} bytes: too short for a table`);
  if (u32(file, footerAt + 40) !== MAGIC_LO || u32(file, footerAt + 44) !== MAGIC_HI) {
    throw new TableDamage(footerAt, "not a table (bad magic number)");
  }
  const footer = file.subarray(footerAt, footerAt + 40);
  let metaindex: BlockHandle;
  let indexHandle: BlockHandle;
  let end: number;
  try {
    let p: number;
    [metaindex, p] = readHandle(footer, 0);
    [indexHandle, end] = readHandle(footer, p);
  } catch {
    throw new TableDamage(footerAt, "bad block handle in the footer");
  }
  // The footer's padding is zeroes: checked, so that not one byte of the file goes unchecked.
  if (footer.subarray(end).some((b) => b !== 0)) {
    throw new TableDamage(footerAt, "footer padding is not zero");
  }
  const block = readTableBlock(file, indexHandle);
  const index = blockEntries(block, indexHandle.offset).map((e) => {
    try {
      const [handle, next] = readHandle(e.value, 0);
      if (next !== e.value.length) throw new Error("trailing bytes");
      return { key: e.key, handle };
    } catch {
      throw new TableDamage(indexHandle.offset, "bad block handle in the index");
    }
  });
  return { index, metaindex, indexHandle };
}

/**
 * Checks every byte of a table file; throws TableDamage at the first problem. The blocks
 * are written one after the other (data, filter, meta-index, index, footer), so after each
 * block's checksum the handles must cover the file from 0 to the footer without gap or overlap.
 */
export function checkTable(file: Uint8Array): void {
  const { index, metaindex, indexHandle } = tableIndex(file);
  const handles: BlockHandle[] = [indexHandle, metaindex, ...index.map((e) => e.handle)];
  const meta = readTableBlock(file, metaindex);
  for (const e of blockEntries(meta, metaindex.offset)) {
    try {
      handles.push(readHandle(e.value, 0)[0]);
    } catch {
      throw new TableDamage(metaindex.offset, "bad block handle in the meta-index");
    }
  }
  handles.sort((a, b) => a.offset - b.offset);
  let next = 0;
  for (const h of handles) {
    if (h.offset !== next) {
      throw new TableDamage(h.offset, `blocks do not tile the file (expected one at ${next})`);
    }
    // A data or filter block whose checksum matches is what LevelDB wrote: no need to
    // decompress it here.
    if (h !== indexHandle && h !== metaindex) verifyBlock(file, h);
    next = h.offset + h.size + TRAILER_SIZE;
  }
  if (next !== file.length - FOOTER_SIZE) {
    throw new TableDamage(next, "bytes between the last block and the footer");
  }
}
