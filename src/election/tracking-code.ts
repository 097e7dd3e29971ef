/**
 * Tracking codes: the first 80 bits of a ballot id in Crockford base32, four groups of four
 * symbols, then Crockford's mod-37 check symbol, e.g. "7QZ4-M2KD-W9XR-A1B3-K". Short enough to
 * read aloud; the full id (a leaf of the ledger's Merkle tree) is in the receipt. Parsing is
 * forgiving the way Crockford intends (case, I/L for 1, O for 0, hyphens and spaces).
 */
import { SaylauError } from "../errors.ts";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK_ALPHABET = `${ALPHABET}*~$=U`;
export const TRACKING_CODE_BITS = 80;
const SYMBOLS = TRACKING_CODE_BITS / 5;

function prefixValue(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < TRACKING_CODE_BITS / 8; i++) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

export function trackingCode(ballotId: Uint8Array): string {
  if (!(ballotId instanceof Uint8Array) || ballotId.length < TRACKING_CODE_BITS / 8) {
    throw new SaylauError("election/bad_tracking_code", "a ballot id has at least 10 bytes");
  }
  const value = prefixValue(ballotId);
  let symbols = "";
  for (let i = SYMBOLS - 1; i >= 0; i--)
    symbols += ALPHABET[Number((value >> BigInt(5 * i)) & 31n)];
  const check = CHECK_ALPHABET[Number(value % 37n)]!;
  return `${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8, 12)}-${symbols.slice(12, 16)}-${check}`;
}

function symbolValue(ch: string, alphabet: string): number {
  const normal = ch === "O" ? "0" : ch === "I" || ch === "L" ? "1" : ch;
  return alphabet.indexOf(normal);
}

/** Returns the 10-byte ballot-id prefix a tracking code stands for; typed error if invalid. */
export function parseTrackingCode(code: string): Uint8Array {
  const bad = (why: string) =>
    new SaylauError("election/bad_tracking_code", `not a tracking code: ${why}`);
  if (typeof code !== "string") throw bad("not text");
  const compact = code.toUpperCase().replace(/[\s-]/g, "");
  if (compact.length !== SYMBOLS + 1) throw bad(`expected ${SYMBOLS + 1} symbols`);
  let value = 0n;
  for (const ch of compact.slice(0, SYMBOLS)) {
    const v = symbolValue(ch, ALPHABET);
    if (v < 0) throw bad(`invalid symbol ${ch}`);
    value = (value << 5n) | BigInt(v);
  }
  const check = symbolValue(compact[SYMBOLS]!, CHECK_ALPHABET);
  if (check < 0 || BigInt(check) !== value % 37n) throw bad("check symbol does not match");
  const out = new Uint8Array(TRACKING_CODE_BITS / 8);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

export function trackingCodeMatches(code: string, ballotId: Uint8Array): boolean {
  const prefix = parseTrackingCode(code);
  return prefix.every((b, i) => ballotId[i] === b);
}
