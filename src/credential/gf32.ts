/**
 * Arithmetic in GF(32) = GF(2)[x] / (x^5 + x^2 + 1), the field the printed credential code's
 * check characters are computed in (docs/PROTOCOL.md §15). A symbol's value 0..31 is the
 * element whose polynomial coefficients are its bits (bit 0 is the constant term); addition is
 * XOR. x^5 + x^2 + 1 is primitive, so ALPHA = x (the value 2) generates all 31 nonzero elements.
 */

export const GF32_POLY = 0b100101;
export const ALPHA = 2;

const EXP = new Uint8Array(62);
const LOG = new Uint8Array(32);
{
  let v = 1;
  for (let i = 0; i < 31; i++) {
    EXP[i] = v;
    EXP[i + 31] = v;
    LOG[v] = i;
    v <<= 1;
    if (v & 0b100000) v ^= GF32_POLY;
  }
}

export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a]! + LOG[b]!]!;
}

/** ALPHA^e for any integer e >= 0. */
export function gfPow(e: number): number {
  return EXP[e % 31]!;
}

export function gfInv(a: number): number {
  if (a === 0) throw new RangeError("0 has no inverse in GF(32)");
  return EXP[(31 - LOG[a]!) % 31]!;
}
