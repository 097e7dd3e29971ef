/**
 * The printed credential's scrypt (docs/PROTOCOL.md §15.4) at the chosen cost N = 2^16 and at
 * its neighbours, in noble's pure JS (what the voter's browser runs) and node:crypto (what the
 * printer and the CLI run), rounds interleaved, in one run. r = 8, p = 1, dkLen = 32.
 *   npx node bench/credential-kdf.ts
 */
import { scryptSync } from "node:crypto";
import { scrypt } from "@noble/hashes/scrypt.js";
import { table } from "../src/cli/output.ts";
import { CREDENTIAL_SALT_PREFIX, SCRYPT_PARAMS } from "../src/credential/kdf.ts";
import { concatBytes, utf8 } from "../src/crypto/bytes.ts";

const ROUNDS = 3;
const password = utf8("KZ726YZW3NC19VCFFKAAMACWY");
const salt = concatBytes(utf8(CREDENTIAL_SALT_PREFIX), new Uint8Array(32));
const rows: (string | number)[][] = [
  ["N", "memory MiB", "noble ms (median)", "node:crypto ms (median)"],
];
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const logN of [14, 15, 16, 17]) {
  const N = 2 ** logN;
  const maxmem = 2 * 128 * N * 8;
  const noble: number[] = [];
  const node: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    scrypt(password, salt, { N, r: 8, p: 1, dkLen: 32, maxmem });
    noble.push(performance.now() - t);
    t = performance.now();
    scryptSync(password, salt, 32, { N, r: 8, p: 1, maxmem });
    node.push(performance.now() - t);
  }
  const chosen = N === SCRYPT_PARAMS.N ? " (chosen)" : "";
  rows.push([
    `2^${logN}${chosen}`,
    (128 * N * 8) / 2 ** 20,
    Math.round(median(noble)),
    Math.round(median(node)),
  ]);
}
console.log(table(rows));
