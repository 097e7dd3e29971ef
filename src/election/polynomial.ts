/**
 * Shamir/Feldman arithmetic for the t-of-n election key. Trustee i deals
 * P_i(x) = a_i0 + a_i1*x + ... + a_i,t-1*x^(t-1) and publishes C_ij = a_ij*G. Trustee l's key
 * share is z_l = sum_i P_i(l); its public verification key V_l = z_l*G is computable by anyone
 * as sum_j l^j * (sum_i C_ij). Trustee indices are 1..n (x = 0 is the joint secret).
 */
import { SaylauError } from "../errors.ts";
import { IDENTITY, invert, mod, mulPublic, type Point } from "./group.ts";

export function evaluatePolynomial(coefficients: readonly bigint[], x: number): bigint {
  const xb = BigInt(x);
  let acc = 0n;
  for (let j = coefficients.length - 1; j >= 0; j--) acc = mod(acc * xb + coefficients[j]!);
  return acc;
}

/** sum_j x^j * commitments[j]: the public image of P(x). Scalars are tiny, so this is cheap. */
export function evaluateCommitments(commitments: readonly Point[], x: number): Point {
  const xb = BigInt(x);
  let acc = IDENTITY;
  for (let j = commitments.length - 1; j >= 0; j--) {
    acc = mulPublic(acc, xb).add(commitments[j]!);
  }
  return acc;
}

/** Lagrange coefficients at x = 0 for the given distinct nonzero indices. */
export function lagrangeAtZero(indices: readonly number[]): bigint[] {
  if (new Set(indices).size !== indices.length || indices.some((i) => i <= 0)) {
    throw new SaylauError("election/bad_trustee", "Lagrange indices must be distinct and >= 1");
  }
  return indices.map((l) => {
    let numerator = 1n;
    let denominator = 1n;
    for (const m of indices) {
      if (m === l) continue;
      numerator = mod(numerator * BigInt(m));
      denominator = mod(denominator * BigInt(m - l));
    }
    return mod(numerator * invert(denominator));
  });
}
