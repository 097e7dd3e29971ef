/**
 * LevelDB's log format (doc/log_format.md of LevelDB 1.20, the version classic-level bundles),
 * read the way LevelDB's own log::Reader reads it, and the version edits of its descriptor
 * (MANIFEST-*) file, which name the live table files. Both the write-ahead logs (*.log) and
 * the descriptor use this format: 32 KiB blocks of records, each with a masked CRC-32C, a
 * 2-byte length and a type (full, or first/middle/last fragment of a longer record).
 *
 * With classic-level, LevelDB replays a write-ahead log with checksums on but drops a record
 * that fails them and carries on (paranoid_checks is off): writes would be lost without an
 * error. The store check reads the logs here instead and calls any such drop corruption.
 * A record cut short at the very end of a file is not corruption: that is what a process
 * killed while writing leaves, and LevelDB ignores it too.
 */
import { crc32c, maskCrc } from "./crc32c.ts";

const BLOCK_SIZE = 32768;
const HEADER_SIZE = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

export interface LogProblem {
  /** Byte offset in the file of the physical record (or block) concerned. */
  readonly offset: number;
  readonly reason: string;
}

export interface LogContents {
  readonly records: Uint8Array[];
  readonly problems: LogProblem[];
}

type Physical =
  | { readonly kind: "record"; readonly type: number; readonly data: Uint8Array; offset: number }
  | { readonly kind: "bad"; readonly offset: number }
  | { readonly kind: "eof"; readonly offset: number };

/** The physical records of a log file, as log::Reader::ReadPhysicalRecord sees them. */
function* physicalRecords(file: Uint8Array, problems: LogProblem[]): Generator<Physical> {
  for (let block = 0; block < file.length; block += BLOCK_SIZE) {
    const end = Math.min(block + BLOCK_SIZE, file.length);
    // LevelDB knows it is at the end of the file once a read returns less than a block.
    const eof = end - block < BLOCK_SIZE;
    let p = block;
    while (end - p >= HEADER_SIZE) {
      const length = file[p + 4]! | (file[p + 5]! << 8);
      const type = file[p + 6]!;
      if (HEADER_SIZE + length > end - p) {
        if (eof) {
          yield { kind: "eof", offset: p }; // the writer died mid-record: not corruption
          return;
        }
        problems.push({ offset: p, reason: "bad record length" });
        yield { kind: "bad", offset: p };
        break;
      }
      if (type === 0 && length === 0) {
        // Preallocated zeroes: LevelDB skips the rest of the block without a report.
        yield { kind: "bad", offset: p };
        break;
      }
      const stored =
        (file[p]! | (file[p + 1]! << 8) | (file[p + 2]! << 16) | (file[p + 3]! << 24)) >>> 0;
      if (maskCrc(crc32c(file, p + 6, p + HEADER_SIZE + length)) !== stored) {
        // The length itself may be wrong: LevelDB drops the rest of the block.
        problems.push({ offset: p, reason: "checksum mismatch" });
        yield { kind: "bad", offset: p };
        break;
      }
      yield {
        kind: "record",
        type,
        data: file.subarray(p + HEADER_SIZE, p + HEADER_SIZE + length),
        offset: p,
      };
      p += HEADER_SIZE + length;
    }
    // Fewer than HEADER_SIZE bytes left: a block trailer, or a header cut short at the end.
  }
  yield { kind: "eof", offset: file.length };
}

/** The logical records of a log-format file, and every problem LevelDB would report. */
export function readLogRecords(file: Uint8Array): LogContents {
  const problems: LogProblem[] = [];
  const records: Uint8Array[] = [];
  let fragments: Uint8Array[] | null = null;
  for (const r of physicalRecords(file, problems)) {
    if (r.kind === "eof") break; // a record in fragments at the end: the writer died
    if (r.kind === "bad") {
      if (fragments !== null && fragments.length > 0) {
        problems.push({ offset: r.offset, reason: "error in middle of record" });
      }
      fragments = null;
      continue;
    }
    switch (r.type) {
      case FULL:
        // An empty FIRST fragment before a FULL record was an old writer's habit, not damage.
        if (fragments !== null && fragments.length > 0) {
          problems.push({ offset: r.offset, reason: "partial record without end" });
        }
        fragments = null;
        records.push(r.data);
        break;
      case FIRST:
        if (fragments !== null && fragments.length > 0) {
          problems.push({ offset: r.offset, reason: "partial record without end" });
        }
        fragments = r.data.length > 0 ? [r.data] : [];
        break;
      case MIDDLE:
        if (fragments === null) {
          problems.push({ offset: r.offset, reason: "missing start of fragmented record" });
        } else fragments.push(r.data);
        break;
      case LAST:
        if (fragments === null) {
          problems.push({ offset: r.offset, reason: "missing start of fragmented record" });
        } else {
          fragments.push(r.data);
          records.push(Buffer.concat(fragments));
          fragments = null;
        }
        break;
      default:
        problems.push({ offset: r.offset, reason: `unknown record type ${r.type}` });
        fragments = null;
    }
  }
  return { records, problems };
}

/** A little-endian base-128 varint at `pos`; throws past the end or beyond 2^53. */
export function readVarint(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= bytes.length) throw new Error("varint runs past the end");
    if (shift > 49) throw new Error("varint too long");
    const b = bytes[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
  }
}

export interface LiveTable {
  readonly level: number;
  readonly size: number;
}

/** What a descriptor says the database consists of. */
export interface Descriptor {
  /** Live table files by file number. */
  readonly tables: Map<number, LiveTable>;
  /** Write-ahead logs numbered at least this (or equal to prevLogNumber) are replayed at open. */
  readonly logNumber: number;
  readonly prevLogNumber: number;
}

const NUM_LEVELS = 7;

/**
 * Applies a descriptor's version edits in order (VersionEdit::DecodeFrom and
 * VersionSet::Builder of LevelDB 1.20): within one edit, deletions before additions.
 * Throws on an edit that does not decode, as LevelDB refuses to open then.
 */
export function applyVersionEdits(records: readonly Uint8Array[]): Descriptor {
  const tables = new Map<number, LiveTable>();
  let logNumber = 0;
  let prevLogNumber = 0;
  for (const edit of records) {
    const deleted: { level: number; number: number }[] = [];
    const added: { level: number; number: number; size: number }[] = [];
    let p = 0;
    const varint = () => {
      const [v, next] = readVarint(edit, p);
      p = next;
      return v;
    };
    const level = () => {
      const l = varint();
      if (l >= NUM_LEVELS) throw new Error(`level ${l} out of range`);
      return l;
    };
    const slice = () => {
      const n = varint();
      if (p + n > edit.length) throw new Error("length-prefixed field runs past the end");
      p += n;
    };
    while (p < edit.length) {
      const tag = varint();
      switch (tag) {
        case 1: // comparator name
          slice();
          break;
        case 2:
          logNumber = varint();
          break;
        case 9:
          prevLogNumber = varint();
          break;
        case 3: // next file number
        case 4: // last sequence
          varint();
          break;
        case 5: // compaction pointer
          level();
          slice();
          break;
        case 6:
          deleted.push({ level: level(), number: varint() });
          break;
        case 7: {
          const l = level();
          const number = varint();
          const size = varint();
          slice(); // smallest key
          slice(); // largest key
          added.push({ level: l, number, size });
          break;
        }
        default:
          throw new Error(`unknown version edit tag ${tag}`);
      }
    }
    for (const d of deleted) {
      if (tables.get(d.number)?.level === d.level) tables.delete(d.number);
    }
    for (const a of added) tables.set(a.number, { level: a.level, size: a.size });
  }
  return { tables, logNumber, prevLogNumber };
}
