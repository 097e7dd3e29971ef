/**
 * Differential soak of the WebAssembly ristretto255 module against @noble/curves:
 * `npx node bench/wasm-soak.ts [cases=1000000] [seed=1]`. Random and adversarial inputs for
 * every exported function (decoding, encoding, addition, subtraction, doubling, equality,
 * field arithmetic, square roots of ratios, element derivation, small and large MSMs); any
 * difference in a result or in a rejection stops the run and prints the input. Not a CI test
 * (minutes of CPU); test/unit/election/wasm-ristretto.test.ts runs the same comparisons briefly.
 */
import { pippenger } from "@noble/curves/abstract/curve.js";
import { ed25519, ristretto255, ristretto255_hasher } from "@noble/curves/ed25519.js";
import { toHex } from "../src/crypto/bytes.ts";
import { bytesToBigIntLE, ORDER } from "../src/election/group.ts";
import { seededRng } from "../src/election/rng.ts";
import {
  wasmDecode,
  wasmEncode,
  wasmFromUniformBytes,
  wasmMsm,
  wasmOps,
} from "../src/election/wasm-ristretto.ts";

const [cases = 1_000_000, seed = 1] = process.argv.slice(2).map(Number);
const Point = ristretto255.Point;
type Point = InstanceType<typeof Point>;
const P = 2n ** 255n - 19n;
const modP = (x: bigint) => ((x % P) + P) % P;
const rng = seededRng(new Uint8Array(32).fill(seed));

const pool: Point[] = [Point.ZERO, Point.BASE];
for (let i = 0; i < 62; i++) pool.push(Point.BASE.multiply(bytesToBigIntLE(rng(32)) % ORDER || 1n));
const byte = () => rng(1)[0]!;
const pick = () => pool[byte() & 63]!;
/** A random element with a random representative (sums have Z != 1). */
const randomPoint = () => pick().add(pick());
const TORSION = new ed25519.Point(0n, P - 1n, 1n, 0n);
const EDGE_FIELD = [0n, 1n, P - 1n, P, P + 1n, P + 18n, 2n ** 255n - 1n];

function randomField(): bigint {
  const r = byte();
  if (r < 16) return EDGE_FIELD[r % EDGE_FIELD.length]!;
  return bytesToBigIntLE(rng(32)) & (2n ** 255n - 1n);
}

function le(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return out;
}

function adversarialEncoding(): Uint8Array {
  const kind = byte() % 8;
  if (kind === 0) return rng(32);
  if (kind === 1) return le(P + BigInt(byte() % 19)); // non-canonical
  if (kind === 2) return le((bytesToBigIntLE(rng(32)) % P) | 1n); // negative s (or >= p)
  if (kind === 3) return byte() & 1 ? new Uint8Array(32) : new Uint8Array(32).fill(0xff);
  const b = randomPoint().toBytes();
  if (kind === 4) b[31]! |= 0x80;
  if (kind === 5) b[byte() & 31]! ^= 1 << (byte() & 7);
  return b; // 6, 7: valid
}

function fail(what: string, input: unknown): never {
  console.error(`MISMATCH in ${what} at case ${done}:`, input);
  process.exit(1);
}

const counts: Record<string, number> = {};
let done = 0;
const started = performance.now();
for (; done < cases; done++) {
  const kind = done % 10;
  if (kind <= 2) {
    const bytes = adversarialEncoding();
    let js: Point | undefined;
    try {
      js = Point.fromBytes(bytes);
    } catch {
      js = undefined;
    }
    const wasm = wasmDecode(bytes);
    if ((js === undefined) !== (wasm === undefined)) fail("decode (verdict)", toHex(bytes));
    if (js !== undefined && !(wasm!.equals(js) && toHex(wasmEncode(wasm!)) === toHex(bytes))) {
      fail("decode (point)", toHex(bytes));
    }
    counts[js === undefined ? "decode rejected" : "decode accepted"] =
      (counts[js === undefined ? "decode rejected" : "decode accepted"] ?? 0) + 1;
  } else if (kind === 3) {
    const p = randomPoint();
    const alt =
      byte() & 1 ? p : new Point((p as unknown as { ep: typeof TORSION }).ep.add(TORSION));
    if (toHex(wasmEncode(alt)) !== toHex(p.toBytes())) fail("encode", p);
    counts.encode = (counts.encode ?? 0) + 1;
  } else if (kind === 4 || kind === 5) {
    const p = randomPoint();
    const q = byte() < 16 ? p : randomPoint();
    if (!wasmOps.add(p, q).equals(p.add(q))) fail("add", [p, q]);
    if (!wasmOps.subtract(p, q).equals(p.subtract(q))) fail("subtract", [p, q]);
    if (!wasmOps.double(p).equals(p.double())) fail("double", p);
    if (wasmOps.equal(p, q) !== p.equals(q)) fail("equal", [p, q]);
    counts["add/subtract/double/equal"] = (counts["add/subtract/double/equal"] ?? 0) + 1;
  } else if (kind === 6 || kind === 7) {
    const a = randomField();
    const b = randomField();
    if (wasmOps.field("mul", a, b) !== modP(a * b)) fail("field mul", [a, b]);
    if (wasmOps.field("add", a, b) !== modP(a + b)) fail("field add", [a, b]);
    if (wasmOps.field("subtract", a, b) !== modP(a - b)) fail("field subtract", [a, b]);
    if (wasmOps.square(a) !== modP(a * a)) fail("field square", a);
    const { isSquare, root } = wasmOps.sqrtRatio(a, b);
    const u = modP(a);
    const v = modP(b);
    const vr2 = modP(v * root * root);
    const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;
    const ok =
      root % 2n === 0n &&
      (v === 0n
        ? root === 0n && isSquare === (u === 0n)
        : vr2 === (isSquare ? u : modP(SQRT_M1 * u)));
    if (!ok) fail("sqrt ratio", [a, b]);
    counts.field = (counts.field ?? 0) + 1;
  } else if (kind === 8) {
    const bytes = rng(64);
    if (
      toHex(wasmEncode(wasmFromUniformBytes(bytes))) !==
      toHex(ristretto255_hasher.deriveToCurve!(bytes).toBytes())
    ) {
      fail("fromUniformBytes", toHex(bytes));
    }
    counts["element derivation"] = (counts["element derivation"] ?? 0) + 1;
  } else {
    // MSMs: mostly 1-3 points (cheap to check), every 200th a large one (Pippenger).
    const n = done % 2000 === 9 ? 150 + (byte() % 200) : 1 + (byte() % 3);
    const points = Array.from({ length: n }, randomPoint);
    const scalars = points.map(() => {
      const r = byte();
      if (r < 8) return [0n, 1n, ORDER - 1n, 2n ** 128n - 1n][r & 3]!;
      return bytesToBigIntLE(rng(32)) % ORDER;
    });
    const expected =
      n >= 4
        ? pippenger(Point, points, scalars)
        : points.reduce(
            (acc, p, i) => (scalars[i] === 0n ? acc : acc.add(p.multiplyUnsafe(scalars[i]!))),
            Point.ZERO,
          );
    if (!wasmMsm(points, scalars).equals(expected)) fail("msm", { points, scalars });
    counts[n >= 4 ? "msm (150-349 points)" : "msm (1-3 points)"] =
      (counts[n >= 4 ? "msm (150-349 points)" : "msm (1-3 points)"] ?? 0) + 1;
  }
  if ((done + 1) % 100_000 === 0) {
    console.log(`${done + 1} cases, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
}
console.log(`${done} cases, 0 mismatches, ${((performance.now() - started) / 1000).toFixed(0)} s`);
for (const [k, v] of Object.entries(counts)) console.log(`  ${k}: ${v}`);
