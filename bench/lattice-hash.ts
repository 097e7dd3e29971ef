/**
 * Lattice hash cost per credential write: `npx node bench/lattice-hash.ts`. A ballot changes
 * one credential record, so the ledger does one `replace` (remove the old element, add the
 * new one) per ballot. Measured for elements of the sizes a credential takes: a new record
 * (32-byte key + 4-byte record), a record holding a 1-contest, 5-option ballot's ciphertexts
 * (32 + ~360 bytes), and a 4-contest, 10-option one (32 + ~2,600 bytes). The baseline in the
 * same run is one tagged SHA-256 of the same element, the cost the state hash already pays
 * per byte. Prints measured numbers only.
 */
import { TAG, taggedHash } from "../src/crypto/hash.ts";
import { LatticeHash } from "../src/crypto/lattice-hash.ts";

function element(size: number, salt: number): Uint8Array {
  const e = new Uint8Array(size);
  for (let i = 0; i < size; i++) e[i] = (i * 31 + salt * 17) & 0xff;
  return e;
}

function perOpMicros(n: number, op: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 200); i++) op(i); // warm up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) op(i);
  return ((performance.now() - t0) * 1000) / n;
}

const N = 5_000;
const rows: string[][] = [];
for (const [label, size] of [
  ["new credential", 36],
  ["1 contest x 5 options", 32 + 360],
  ["4 contests x 10 options", 32 + 2600],
] as const) {
  const olds = Array.from({ length: 64 }, (_, i) => element(size, i));
  const news = Array.from({ length: 64 }, (_, i) => element(size, i + 64));
  let h = LatticeHash.over(olds);
  const replace = perOpMicros(N, (i) => {
    h = h.replace(olds[i % 64] as Uint8Array, news[i % 64] as Uint8Array);
  });
  const add = perOpMicros(N, (i) => {
    h = h.add(news[i % 64] as Uint8Array);
  });
  const sha = perOpMicros(N, (i) => {
    taggedHash(TAG.tx, news[i % 64] as Uint8Array);
  });
  const digest = perOpMicros(N, () => {
    h.digest();
  });
  rows.push([
    label,
    String(size),
    add.toFixed(1),
    replace.toFixed(1),
    sha.toFixed(2),
    digest.toFixed(1),
  ]);
}

const header = ["element", "bytes", "add µs", "remove+add µs", "SHA-256 µs", "digest() µs"];
const widths = header.map((h, i) =>
  Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
);
const line = (cells: string[]): string =>
  `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
console.log(line(header));
console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
for (const r of rows) console.log(line(r));
console.log(`\n${N} operations per cell, Node ${process.version}`);
