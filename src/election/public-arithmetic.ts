/**
 * The one seam between the verification rules and the arithmetic that evaluates them. Every
 * check of public data (ballot proofs, decryption proofs, the ceremony's Schnorr proofs, tally
 * combinations) decodes points, encodes points and computes multi-scalar multiplications
 * through `publicArithmetic()`; the rules themselves (ballot.ts, batch.ts, range-proof.ts,
 * dleq.ts, schnorr.ts, decryption.ts) exist once and do not know which backend runs them.
 *
 * Two backends compute exactly the same functions (the differential tests hold them to it):
 * - "wasm": wasm-ristretto.ts, about 8x faster to decode and 10x faster for a large MSM; not
 *   constant time, which is why nothing secret may come here;
 * - "js": @noble/curves, used where WebAssembly cannot run.
 * The default is wasm when it instantiates; tests and benchmarks switch with useArithmetic.
 * Secret-dependent operations never come through here: they call noble directly (group.ts's
 * mulSecret and encodePoint).
 */
import { pippenger } from "@noble/curves/abstract/curve.js";
import { ristretto255 } from "@noble/curves/ed25519.js";
import { wasmAvailable, wasmDecode, wasmEncode, wasmMsm } from "./wasm-ristretto.ts";

type Point = InstanceType<typeof ristretto255.Point>;

export type ArithmeticName = "wasm" | "js";

export interface PublicArithmetic {
  readonly name: ArithmeticName;
  /** RFC 9496 DECODE; undefined for every encoding it rejects. */
  decode(bytes: Uint8Array): Point | undefined;
  /** RFC 9496 ENCODE. */
  encode(point: Point): Uint8Array;
  /** sum scalars[i] * points[i]; scalars in [0, L). */
  msm(points: readonly Point[], scalars: readonly bigint[]): Point;
}

/** Below this many points, noble's own multiplications (with the fixed-base tables of G and K). */
const NOBLE_SMALL_MSM = 4;

const js: PublicArithmetic = {
  name: "js",
  decode(bytes) {
    try {
      return ristretto255.Point.fromBytes(bytes);
    } catch {
      return undefined;
    }
  },
  encode: (point) => point.toBytes(),
  msm(points, scalars) {
    if (points.length >= NOBLE_SMALL_MSM)
      return pippenger(ristretto255.Point, [...points], [...scalars]);
    let acc = ristretto255.Point.ZERO;
    points.forEach((p, i) => {
      const s = scalars[i]!;
      if (s !== 0n) acc = acc.add(p.multiplyUnsafe(s));
    });
    return acc;
  },
};

const wasm: PublicArithmetic = {
  name: "wasm",
  decode: wasmDecode,
  encode: wasmEncode,
  msm: wasmMsm,
};

let current: PublicArithmetic = wasmAvailable() ? wasm : js;

export function publicArithmetic(): PublicArithmetic {
  return current;
}

/** Selects the backend (tests, benchmarks); "wasm" throws where WebAssembly cannot run. */
export function useArithmetic(name: ArithmeticName): void {
  if (name === "wasm" && !wasmAvailable()) {
    throw new Error("the WebAssembly ristretto255 module is not available here");
  }
  current = name === "wasm" ? wasm : js;
}
