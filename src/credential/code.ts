/**
 * Printed credential codes (docs/PROTOCOL.md §15): 23 random Crockford base32 symbols (115
 * bits) and 2 check symbols, printed as five groups of five, e.g. "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX".
 * The check symbols make the 25 symbols a codeword of a Reed-Solomon code over GF(32) with
 * minimum distance 3, so any change to one or two symbols (a wrong character, two swapped
 * characters) is caught here, with a typed error, before any key derivation work is spent.
 * Parsing forgives what people and phones do to a code: case, spaces, dashes, O for 0, I or L
 * for 1.
 */
import { SaylauError } from "../errors.ts";
import { ALPHA, gfInv, gfMul, gfPow } from "./gf32.ts";

/** Crockford's base32 alphabet, the same as tracking codes': no I, L, O, U. */
export const CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const DATA_SYMBOLS = 23;
export const CHECK_SYMBOLS = 2;
export const CODE_SYMBOLS = DATA_SYMBOLS + CHECK_SYMBOLS;
export const CODE_ENTROPY_BITS = DATA_SYMBOLS * 5;
const GROUP = 5;

/** Characters parsing drops: whitespace and the dashes keyboards and phones produce. */
const SEPARATORS = new Set([
  " ",
  "\t",
  "\n",
  "\r",
  "\u00a0", // no-break space
  "-",
  "\u2010", // hyphen
  "\u2011", // non-breaking hyphen
  "\u2012", // figure dash
  "\u2013", // en dash
  "\u2014", // em dash
  "\u2212", // minus sign
]);
const LOOKALIKES: Record<string, string> = { O: "0", I: "1", L: "1" };

/** The weight of position i (0 = first symbol) is ALPHA^(24 - i): the last symbol has ALPHA^0. */
const weight = (i: number) => CODE_SYMBOLS - 1 - i;

/** S1 = sum v_i ALPHA^w_i and S2 = sum v_i ALPHA^(2 w_i); both are 0 exactly for codewords. */
export function syndromes(values: readonly number[]): [number, number] {
  let s1 = 0;
  let s2 = 0;
  values.forEach((v, i) => {
    s1 ^= gfMul(v, gfPow(weight(i)));
    s2 ^= gfMul(v, gfPow(2 * weight(i)));
  });
  return [s1, s2];
}

/** The two check symbols for 23 data symbols (values 0..31). */
export function checkSymbols(data: readonly number[]): [number, number] {
  if (data.length !== DATA_SYMBOLS || data.some((v) => !Number.isInteger(v) || v < 0 || v > 31)) {
    throw new SaylauError("credential/bad_code", `a code has ${DATA_SYMBOLS} data symbols 0..31`);
  }
  // With the check symbols c23 (weight 1) and c24 (weight 0) zero, the syndromes are A and B;
  // c23 ALPHA + c24 = A and c23 ALPHA^2 + c24 = B give c23 = (A + B) / (ALPHA + ALPHA^2).
  const [a, b] = syndromes(data);
  const c23 = gfMul(a ^ b, gfInv(ALPHA ^ gfMul(ALPHA, ALPHA)));
  const c24 = a ^ gfMul(c23, ALPHA);
  return [c23, c24];
}

/** The printed form of a canonical code: five groups of five joined by "-". */
export function formatCode(canonical: string): string {
  const groups: string[] = [];
  for (let i = 0; i < canonical.length; i += GROUP) groups.push(canonical.slice(i, i + GROUP));
  return groups.join("-");
}

/** The printed code for 23 data symbols. */
export function encodeCode(data: readonly number[]): string {
  const values = [...data, ...checkSymbols(data)];
  return formatCode(values.map((v) => CODE_ALPHABET[v]).join(""));
}

/** Returns `length` fresh random bytes (src/election/rng.ts's Rng, without the dependency). */
export type Rng = (length: number) => Uint8Array;

/** A fresh code: each data symbol is the low 5 bits of one random byte (256 = 8 * 32: uniform). */
export function newPrintedCode(rng: Rng): string {
  const bytes = rng(DATA_SYMBOLS);
  if (!(bytes instanceof Uint8Array) || bytes.length !== DATA_SYMBOLS) {
    throw new SaylauError("credential/bad_rng", `the rng must return ${DATA_SYMBOLS} bytes`);
  }
  return encodeCode(Array.from(bytes, (b) => b & 31));
}

/**
 * The canonical form (25 symbols, upper case, no separators) of a code as a person typed it.
 * `credential/bad_code`: not 25 symbols of the alphabet once normalised;
 * `credential/typo`: 25 symbols, but the check symbols do not match (a symbol mistyped, two
 * swapped, ...). Neither costs more than a few table lookups.
 */
export function parseCode(text: string): string {
  if (typeof text !== "string") throw new SaylauError("credential/bad_code", "a code is text");
  let canonical = "";
  for (const ch of text) {
    if (SEPARATORS.has(ch)) continue;
    const upper = ch >= "a" && ch <= "z" ? ch.toUpperCase() : ch;
    canonical += LOOKALIKES[upper] ?? upper;
    if (canonical.length > CODE_SYMBOLS) break;
  }
  if (canonical.length !== CODE_SYMBOLS) {
    throw new SaylauError(
      "credential/bad_code",
      canonical.length > CODE_SYMBOLS
        ? `a credential code has ${CODE_SYMBOLS} characters; this one has more`
        : `a credential code has ${CODE_SYMBOLS} characters; this one has ${canonical.length}`,
    );
  }
  const values: number[] = [];
  for (const [i, ch] of [...canonical].entries()) {
    const v = CODE_ALPHABET.indexOf(ch);
    if (v < 0) {
      throw new SaylauError(
        "credential/bad_code",
        `character ${i + 1} ("${ch}") is not used in credential codes`,
        { position: i + 1 },
      );
    }
    values.push(v);
  }
  const [s1, s2] = syndromes(values);
  if (s1 !== 0 || s2 !== 0) {
    throw new SaylauError(
      "credential/typo",
      "the code does not check: a character is mistyped or two are swapped; type it again",
    );
  }
  return canonical;
}
