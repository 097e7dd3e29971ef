/**
 * The LevelDB file checks against files LevelDB itself wrote (through classic-level): they
 * pass intact files, and find every flipped bit of a table and a damaged log record, while a
 * log cut short at its end (a process killed mid-write) is not called damage.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterEach, describe, expect, it } from "vitest";
import { utf8 } from "../../../../src/crypto/bytes.ts";
import { crc32c, maskCrc } from "../../../../src/ledger/store/crc32c.ts";
import { applyVersionEdits, readLogRecords } from "../../../../src/ledger/store/leveldb-log.ts";
import { checkTable, TableDamage, tableIndex } from "../../../../src/ledger/store/leveldb-table.ts";
import { snappyDecompress } from "../../../../src/ledger/store/snappy.ts";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "saylau-leveldb-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function key(i: number): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = 0x10;
  new DataView(k.buffer).setUint32(5, i);
  return k;
}

/** Writes the entries, closes; `reopen` opens and closes again, which moves the log into a table. */
async function writeDb(
  dir: string,
  entries: number,
  value: (i: number) => Uint8Array,
  reopen: boolean,
): Promise<void> {
  const options = { keyEncoding: "view", valueEncoding: "view", blockSize: 256 } as const;
  const db = new Level<Uint8Array, Uint8Array>(dir, options);
  await db.open();
  for (let i = 0; i < entries; i++) await db.put(key(i), value(i));
  await db.close();
  if (reopen) {
    const again = new Level<Uint8Array, Uint8Array>(dir, options);
    await again.open();
    await again.close();
  }
}

function only(dir: string, pattern: RegExp): string {
  const names = readdirSync(dir).filter((n) => pattern.test(n));
  expect(names).toHaveLength(1);
  return join(dir, names[0]!);
}

describe("CRC-32C", () => {
  it("matches LevelDB's test vectors, masked as LevelDB masks it", () => {
    expect(crc32c(utf8("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    // A sub-range, and every length around the 8-byte stride.
    const data = Uint8Array.from({ length: 40 }, (_, i) => i * 7);
    for (let n = 0; n <= 17; n++) {
      expect(crc32c(data, 3, 3 + n)).toBe(crc32c(data.slice(3, 3 + n)));
    }
    const crc = crc32c(utf8("foo"));
    expect(maskCrc(crc)).not.toBe(crc);
    expect(maskCrc(maskCrc(crc))).not.toBe(maskCrc(crc));
  });
});

describe("snappy", () => {
  it("expands literals and overlapping copies, and refuses what runs out of range", () => {
    // length 10; literal "ab"; copy of 8 bytes from 2 back (overlapping: a run).
    expect(Buffer.from(snappyDecompress(Uint8Array.of(10, 0x04, 0x61, 0x62, 0x11, 0x02)))).toEqual(
      Buffer.from("ababababab"),
    );
    expect(() => snappyDecompress(Uint8Array.of(10, 0x04, 0x61, 0x62, 0x11, 0x03))).toThrow(
      /out of range/,
    );
    expect(() => snappyDecompress(Uint8Array.of(11, 0x04, 0x61, 0x62, 0x11, 0x02))).toThrow(
      /shorter/,
    );
  });
});

describe("table files", () => {
  it("an intact table passes; a flipped low or high bit of any byte in it is found", async () => {
    const dir = tempDir();
    await writeDb(dir, 300, (i) => new Uint8Array(120).fill(i & 0xff), true);
    const file = new Uint8Array(readFileSync(only(dir, /\.ldb$/)));
    const { index, indexHandle } = tableIndex(file);
    expect(index.length).toBeGreaterThan(10);
    // This table's index is snappy-compressed, so the decompression is exercised too.
    expect(file[indexHandle.offset + indexHandle.size]).toBe(1);
    checkTable(file);
    let missed = 0;
    for (let at = 0; at < file.length; at++) {
      // The high bit matters for varints (block handles), the low one for everything.
      for (const bit of [0x01, 0x80]) {
        const copy = file.slice();
        copy[at]! ^= bit;
        try {
          checkTable(copy);
          missed++;
        } catch (err) {
          expect(err).toBeInstanceOf(TableDamage);
        }
      }
    }
    expect(missed).toBe(0);
    expect(() => checkTable(file.subarray(0, file.length - 1))).toThrow(TableDamage);
  }, 60_000);

  it("the descriptor names the live tables with their sizes", async () => {
    const dir = tempDir();
    await writeDb(dir, 50, (i) => new Uint8Array(100).fill(i), true);
    const current = readFileSync(join(dir, "CURRENT"), "utf8").trim();
    const descriptor = readLogRecords(new Uint8Array(readFileSync(join(dir, current))));
    expect(descriptor.problems).toEqual([]);
    const live = applyVersionEdits(descriptor.records);
    const table = only(dir, /\.ldb$/);
    const number = Number(/(\d+)\.ldb$/.exec(table)![1]);
    expect([...live.tables.keys()]).toEqual([number]);
    expect(live.tables.get(number)!.size).toBe(readFileSync(table).length);
    expect(live.logNumber).toBeGreaterThan(number);
  });
});

describe("write-ahead log files", () => {
  it("read whole, fragmented records included; a damaged record is reported; a cut-off end is not", async () => {
    const dir = tempDir();
    // Values of 20 KB: records span the 32 KiB log blocks in first/middle/last fragments.
    const value = (i: number) => Uint8Array.from({ length: 20_000 }, (_, j) => (i * 31 + j) & 0xff);
    await writeDb(dir, 12, value, false);
    const path = only(dir, /\.log$/);
    const file = new Uint8Array(readFileSync(path));
    expect(file.length).toBeGreaterThan(3 * 32768);
    const intact = readLogRecords(file);
    expect(intact.problems).toEqual([]);
    expect(intact.records).toHaveLength(12);
    // One record is a write batch: 12 bytes of header, then the put with its value at the end.
    expect(Buffer.from(intact.records[5]!.subarray(-20_000))).toEqual(Buffer.from(value(5)));

    const damaged = file.slice();
    damaged[40_000]! ^= 0x10;
    expect(readLogRecords(damaged).problems.map((p) => p.reason)).toContain("checksum mismatch");

    for (const cut of [file.length - 1, file.length - 5000, 32768 + 3]) {
      const torn = readLogRecords(file.subarray(0, cut));
      expect(torn.problems).toEqual([]);
      expect(torn.records.length).toBeLessThan(12);
    }
  });
});
