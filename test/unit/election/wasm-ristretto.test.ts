/**
 * The WebAssembly ristretto255 module against RFC 9496's vectors and, function by function,
 * against @noble/curves (fast-check, seeded): equal results and equal rejections on random
 * and adversarial inputs. The million-case soak is bench/wasm-soak.ts.
 */
import { pippenger } from "@noble/curves/abstract/curve.js";
import { ed25519, ristretto255, ristretto255_hasher } from "@noble/curves/ed25519.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { msmPublic, ORDER } from "../../../src/election/group.ts";
import { useArithmetic } from "../../../src/election/public-arithmetic.ts";
import {
  wasmAvailable,
  wasmDecode,
  wasmEncode,
  wasmFromUniformBytes,
  wasmMsm,
  wasmOps,
} from "../../../src/election/wasm-ristretto.ts";
import { ARITHMETICS } from "./fixtures.ts";
import { HASH_TO_GROUP, INVALID_ENCODINGS, MULTIPLES_OF_G } from "./vectors/rfc9496.ts";

const Point = ristretto255.Point;
type Point = InstanceType<typeof Point>;
const P = 2n ** 255n - 19n;
const G = Point.BASE;

function jsDecode(bytes: Uint8Array): Point | undefined {
  try {
    return Point.fromBytes(bytes);
  } catch {
    return undefined;
  }
}

/** The exact extended coordinates, so "equal" means the same representative, not just point. */
function coords(p: Point): string {
  const { X, Y, Z, T } = (p as unknown as { ep: Record<"X" | "Y" | "Z" | "T", bigint> }).ep;
  return [X, Y, Z, T].map((c) => ((c % P) + P) % P).join(",");
}

function le(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return out;
}

const modP = (x: bigint) => ((x % P) + P) % P;
const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;
function powP(b: bigint, e: bigint): bigint {
  let r = 1n;
  let x = modP(b);
  while (e > 0n) {
    if (e & 1n) r = (r * x) % P;
    x = (x * x) % P;
    e >>= 1n;
  }
  return r;
}

// Arbitraries -----------------------------------------------------------------------------

const scalar = fc.oneof(
  fc.bigInt({ min: 0n, max: ORDER - 1n }),
  fc.constantFrom(0n, 1n, 2n, ORDER - 1n, ORDER - 2n, (1n << 128n) - 1n, 1n << 252n),
);
const point = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 1n, max: ORDER - 1n }).map((k) => G.multiply(k)) },
  { weight: 1, arbitrary: fc.constant(Point.ZERO) },
  { weight: 1, arbitrary: fc.constant(G) },
  // A representative with Z != 1 and a different T: sums of points.
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.bigInt({ min: 1n, max: ORDER - 1n }), fc.bigInt({ min: 1n, max: ORDER - 1n }))
      .map(([a, b]) => G.multiply(a).add(G.multiply(b))),
  },
);
/** Field values as 32 bytes below 2^255, with the edges: 0, 1, p-1, p, p+1, 2^255-1. */
const fieldValue = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 255n - 1n }),
  fc.constantFrom(0n, 1n, 2n, P - 1n, P, P + 1n, P + 18n, 2n ** 255n - 1n, 2n ** 254n),
);
/** 32-byte strings that try every rejection of RFC 9496 DECODE. */
const encoding = fc.oneof(
  { weight: 3, arbitrary: point.map((p) => p.toBytes()) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }) },
  {
    weight: 2,
    arbitrary: fc.tuple(point, fc.nat(255)).map(([p, bit]) => {
      const b = p.toBytes();
      b[bit >> 3]! ^= 1 << (bit & 7);
      return b;
    }),
  },
  // Non-canonical field encodings: p + s for small even s, and the top bit set.
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 18n }).map((k) => le(P + k)) },
  {
    weight: 1,
    arbitrary: point.map((p) => {
      const b = p.toBytes();
      b[31]! |= 0x80;
      return b;
    }),
  },
  // Negative s: an odd field element below p.
  {
    weight: 1,
    arbitrary: fc.bigInt({ min: 0n, max: (P - 1n) / 2n - 1n }).map((k) => le(2n * k + 1n)),
  },
  { weight: 1, arbitrary: fc.constantFrom(new Uint8Array(32), new Uint8Array(32).fill(0xff)) },
);

const RUNS = { numRuns: 300, seed: 20261201 };

describe("WebAssembly ristretto255", () => {
  it("runs here", () => {
    expect(wasmAvailable()).toBe(true);
  });

  it("RFC 9496 A.1: encodes 0..15 times G and decodes them to the same representative", () => {
    let acc = Point.ZERO;
    for (const hex of MULTIPLES_OF_G) {
      expect(toHex(wasmEncode(acc))).toBe(hex);
      const decoded = wasmDecode(fromHex(hex))!;
      expect(coords(decoded)).toBe(coords(Point.fromBytes(fromHex(hex))));
      expect(decoded.equals(acc)).toBe(true);
      acc = acc.add(G);
    }
  });

  it("RFC 9496 A.2: rejects every invalid encoding", () => {
    for (const hex of INVALID_ENCODINGS) expect(wasmDecode(fromHex(hex)), hex).toBeUndefined();
    expect(wasmDecode(new Uint8Array(31))).toBeUndefined();
    expect(wasmDecode(new Uint8Array(33))).toBeUndefined();
  });

  it("RFC 9496 A.3: derives the elements from uniform bytes", () => {
    for (const [input, output] of HASH_TO_GROUP) {
      expect(toHex(wasmEncode(wasmFromUniformBytes(fromHex(input))))).toBe(output);
    }
  });

  it("decodes exactly as noble: the same representative or the same rejection", () => {
    fc.assert(
      fc.property(encoding, (bytes) => {
        const js = jsDecode(bytes);
        const wasm = wasmDecode(bytes);
        expect(wasm === undefined).toBe(js === undefined);
        if (js !== undefined) expect(coords(wasm!)).toBe(coords(js));
      }),
      { ...RUNS, numRuns: 2000 },
    );
  });

  it("encodes exactly as noble, whatever the representative", () => {
    fc.assert(
      fc.property(point, (p) => {
        expect(toHex(wasmEncode(p))).toBe(toHex(p.toBytes()));
        expect(toHex(wasmEncode(p.negate()))).toBe(toHex(p.negate().toBytes()));
      }),
      RUNS,
    );
  });

  it("adds, subtracts, doubles and compares as noble", () => {
    fc.assert(
      fc.property(point, point, (p, q) => {
        expect(toHex(wasmEncode(wasmOps.add(p, q)))).toBe(toHex(p.add(q).toBytes()));
        expect(toHex(wasmEncode(wasmOps.subtract(p, q)))).toBe(toHex(p.subtract(q).toBytes()));
        expect(toHex(wasmEncode(wasmOps.double(p)))).toBe(toHex(p.double().toBytes()));
        expect(wasmOps.equal(p, q)).toBe(p.equals(q));
        expect(wasmOps.equal(p, p.add(Point.ZERO))).toBe(true);
        // Another Edwards representative of the same ristretto255 element: P + a 2-torsion point.
        const torsion = new Point(
          (p as unknown as { ep: InstanceType<typeof ed25519.Point> }).ep.add(
            new ed25519.Point(0n, P - 1n, 1n, 0n),
          ),
        );
        expect(wasmOps.equal(p, torsion)).toBe(true);
        expect(toHex(wasmEncode(torsion))).toBe(toHex(p.toBytes()));
      }),
      RUNS,
    );
  });

  it("computes field products, squares, sums and differences mod p, canonical", () => {
    fc.assert(
      fc.property(fieldValue, fieldValue, (a, b) => {
        expect(wasmOps.field("mul", a, b)).toBe(modP(a * b));
        expect(wasmOps.field("add", a, b)).toBe(modP(a + b));
        expect(wasmOps.field("subtract", a, b)).toBe(modP(a - b));
        expect(wasmOps.square(a)).toBe(modP(a * a));
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });

  it("SQRT_RATIO_M1: the non-negative root of u/v or of i*u/v, and whether u/v is square", () => {
    fc.assert(
      fc.property(fieldValue, fieldValue, (u0, v0) => {
        const u = modP(u0);
        const v = modP(v0);
        const { isSquare, root } = wasmOps.sqrtRatio(u0, v0);
        expect(root < P && root % 2n === 0n).toBe(true);
        const vr2 = modP(v * root * root);
        if (v === 0n) {
          expect(root).toBe(0n);
          expect(isSquare).toBe(u === 0n);
          return;
        }
        const ratio = modP(u * powP(v, P - 2n));
        const euler = powP(ratio, (P - 1n) / 2n);
        expect(isSquare).toBe(euler !== P - 1n);
        expect(vr2).toBe(isSquare ? u : modP(SQRT_M1 * u));
      }),
      { ...RUNS, numRuns: 500 },
    );
  });

  it("multi-scalar multiplication equals noble's, by Straus and by Pippenger", () => {
    const run = (maxLength: number, numRuns: number) =>
      fc.assert(
        fc.property(fc.array(fc.tuple(point, scalar), { maxLength }), (terms) => {
          const points = terms.map(([p]) => p);
          const scalars = terms.map(([, s]) => s);
          const expected = terms.length === 0 ? Point.ZERO : pippenger(Point, points, scalars);
          expect(toHex(wasmEncode(wasmMsm(points, scalars)))).toBe(toHex(expected.toBytes()));
        }),
        { ...RUNS, numRuns },
      );
    run(12, 150); // Straus
    run(400, 8); // Pippenger from about 150 points
    // Repeated points, all-zero and all-(L-1) scalars.
    const pts = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? G : G.multiply(BigInt(i))));
    for (const s of [0n, ORDER - 1n, 1n]) {
      const scalars = pts.map(() => s);
      expect(wasmMsm(pts, scalars).equals(pippenger(Point, pts, scalars))).toBe(true);
    }
  });

  it("refuses scalars outside [0, 2^253); msmPublic reduces any integer mod L on both backends", () => {
    expect(() => wasmMsm([G], [1n << 253n])).toThrow();
    expect(() => wasmMsm([G], [-1n])).toThrow();
    const scalars = [ORDER, ORDER + 5n, -3n, 2n ** 300n];
    const points = [G, G.double(), G.multiply(3n), G.multiply(4n)];
    const expected = points
      .map((p, i) => {
        const s = ((scalars[i]! % ORDER) + ORDER) % ORDER;
        return s === 0n ? Point.ZERO : p.multiply(s);
      })
      .reduce((a, b) => a.add(b));
    for (const name of ARITHMETICS) {
      useArithmetic(name);
      expect(msmPublic(points, scalars).equals(expected), name).toBe(true);
    }
    useArithmetic("wasm");
  });

  it("derives elements from uniform bytes as noble", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
        expect(toHex(wasmEncode(wasmFromUniformBytes(bytes)))).toBe(
          toHex(ristretto255_hasher.deriveToCurve!(bytes).toBytes()),
        );
      }),
      RUNS,
    );
  });
});
