/**
 * ristretto255 (RFC 9496) arithmetic for VERIFYING PUBLIC DATA ONLY, in AssemblyScript.
 *
 * NOT CONSTANT TIME. Branches and memory accesses depend on the values (signed-digit
 * windows, skipped empty buckets, early exits on invalid encodings). That is fine for what it
 * is used for, checking proofs of ballots, decryption shares, ceremony commitments and tally
 * combinations, where every input is already public; it must never see a secret (nonce, key
 * share, polynomial coefficient). Everything that touches a secret stays on @noble/curves.
 *
 * Field elements mod p = 2^255 - 19 are 10 signed i64 limbs in radix 2^25.5 (limb i holds 26
 * bits for even i, 25 for odd i), as in the ref10 code of Ed25519: every limb product fits an
 * i64, so no 128-bit arithmetic is needed. Sums and differences are not carried; a product or
 * square accepts operands that are sums of up to four carried elements (|limb| < 2^27), whose
 * ten-term products stay below 2^63. Points are extended coordinates (X:Y:Z:T), x = X/Z,
 * y = Y/Z, xy = T/Z, on -x^2 + y^2 = 1 + d x^2 y^2.
 *
 * Interface (all pointers into this module's memory; JS writes inputs and reads outputs):
 * a field element or scalar on the wire is 32 bytes little-endian; a point is 128 bytes,
 * X || Y || Z || T, each 32 bytes little-endian (any value below 2^255; outputs are reduced).
 *
 * Build: `npm run build:wasm` (see scripts/build-wasm.ts); a test rebuilds and compares.
 */

const FE: usize = 80;
const PX: usize = 0;
const PY: usize = 80;
const PZ: usize = 160;
const PT: usize = 240;
/** An extended or cached point: four field elements. */
const POINT: usize = 320;
/** A point on the wire: four 32-byte coordinates. */
const WIRE_POINT: usize = 128;

const B24: i64 = 1 << 24;
const B25: i64 = 1 << 25;

// Constants of RFC 9496 section 4.1 (and 2d), as limbs; checked against noble by the tests
// through the functions that use them.
const D: usize = memory.data<i64>([
  56195235, 13857412, 51736253, 6949390, 114729, 24766616, 60832955, 30306712, 48412415, 21499315,
]);
const D2: usize = memory.data<i64>([
  45281625, 27714825, 36363642, 13898781, 229458, 15978800, 54557047, 27058993, 29715967, 9444199,
]);
const SQRT_M1: usize = memory.data<i64>([
  34513072, 25610706, 9377949, 3500415, 12389472, 33281959, 41962654, 31548777, 326685, 11406482,
]);
const INVSQRT_A_MINUS_D: usize = memory.data<i64>([
  6111466, 4156064, 39310137, 12243467, 41204824, 120896, 20826367, 26493656, 6093567, 31568420,
]);
const SQRT_AD_MINUS_ONE: usize = memory.data<i64>([
  24849947, 33400850, 43495378, 6347714, 46036536, 32887293, 41837720, 18186727, 66238516, 14525638,
]);
const ONE_MINUS_D_SQ: usize = memory.data<i64>([
  6275446, 16937061, 44170319, 29780721, 11667076, 7397348, 39186143, 1766194, 42675006, 672202,
]);
const D_MINUS_ONE_SQ: usize = memory.data<i64>([
  15551776, 22456977, 53683765, 23429360, 55212328, 10178283, 40474537, 4729243, 61826754, 23438029,
]);
const ONE: usize = memory.data<i64>([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

// ---------------------------------------------------------------------------------------
// Field arithmetic

/** Stores h0..h9 into h after one carry pass (ref10's order), leaving |limb| <= ~2^25. */
function carry(
  h: usize,
  h0: i64,
  h1: i64,
  h2: i64,
  h3: i64,
  h4: i64,
  h5: i64,
  h6: i64,
  h7: i64,
  h8: i64,
  h9: i64,
): void {
  let c0 = (h0 + B25) >> 26;
  h1 += c0;
  h0 -= c0 << 26;
  let c4 = (h4 + B25) >> 26;
  h5 += c4;
  h4 -= c4 << 26;
  const c1 = (h1 + B24) >> 25;
  h2 += c1;
  h1 -= c1 << 25;
  const c5 = (h5 + B24) >> 25;
  h6 += c5;
  h5 -= c5 << 25;
  const c2 = (h2 + B25) >> 26;
  h3 += c2;
  h2 -= c2 << 26;
  const c6 = (h6 + B25) >> 26;
  h7 += c6;
  h6 -= c6 << 26;
  const c3 = (h3 + B24) >> 25;
  h4 += c3;
  h3 -= c3 << 25;
  const c7 = (h7 + B24) >> 25;
  h8 += c7;
  h7 -= c7 << 25;
  c4 = (h4 + B25) >> 26;
  h5 += c4;
  h4 -= c4 << 26;
  const c8 = (h8 + B25) >> 26;
  h9 += c8;
  h8 -= c8 << 26;
  const c9 = (h9 + B24) >> 25;
  h0 += c9 * 19;
  h9 -= c9 << 25;
  c0 = (h0 + B25) >> 26;
  h1 += c0;
  h0 -= c0 << 26;
  store<i64>(h, h0, 0);
  store<i64>(h, h1, 8);
  store<i64>(h, h2, 16);
  store<i64>(h, h3, 24);
  store<i64>(h, h4, 32);
  store<i64>(h, h5, 40);
  store<i64>(h, h6, 48);
  store<i64>(h, h7, 56);
  store<i64>(h, h8, 64);
  store<i64>(h, h9, 72);
}

function feCarry(h: usize, f: usize): void {
  carry(
    h,
    load<i64>(f, 0),
    load<i64>(f, 8),
    load<i64>(f, 16),
    load<i64>(f, 24),
    load<i64>(f, 32),
    load<i64>(f, 40),
    load<i64>(f, 48),
    load<i64>(f, 56),
    load<i64>(f, 64),
    load<i64>(f, 72),
  );
}

function feCopy(h: usize, f: usize): void {
  memory.copy(h, f, FE);
}

function _feZero(h: usize): void {
  memory.fill(h, 0, FE);
}

function feOne(h: usize): void {
  memory.fill(h, 0, FE);
  store<i64>(h, 1);
}

/** h = f + g, not carried. */
function feAdd(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < FE; i += 8) store<i64>(h + i, load<i64>(f + i) + load<i64>(g + i));
}

/** h = f - g, not carried (limbs are signed, so no multiple of p is added). */
function feSub(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < FE; i += 8) store<i64>(h + i, load<i64>(f + i) - load<i64>(g + i));
}

function feNeg(h: usize, f: usize): void {
  for (let i: usize = 0; i < FE; i += 8) store<i64>(h + i, -load<i64>(f + i));
}

/** h = f * g. */
function feMul(h: usize, f: usize, g: usize): void {
  const f0 = load<i64>(f, 0);
  const f1 = load<i64>(f, 8);
  const f2 = load<i64>(f, 16);
  const f3 = load<i64>(f, 24);
  const f4 = load<i64>(f, 32);
  const f5 = load<i64>(f, 40);
  const f6 = load<i64>(f, 48);
  const f7 = load<i64>(f, 56);
  const f8 = load<i64>(f, 64);
  const f9 = load<i64>(f, 72);
  const g0 = load<i64>(g, 0);
  const g1 = load<i64>(g, 8);
  const g2 = load<i64>(g, 16);
  const g3 = load<i64>(g, 24);
  const g4 = load<i64>(g, 32);
  const g5 = load<i64>(g, 40);
  const g6 = load<i64>(g, 48);
  const g7 = load<i64>(g, 56);
  const g8 = load<i64>(g, 64);
  const g9 = load<i64>(g, 72);
  const f1_2 = f1 * 2;
  const f3_2 = f3 * 2;
  const f5_2 = f5 * 2;
  const f7_2 = f7 * 2;
  const f9_2 = f9 * 2;
  const g1_19 = g1 * 19;
  const g2_19 = g2 * 19;
  const g3_19 = g3 * 19;
  const g4_19 = g4 * 19;
  const g5_19 = g5 * 19;
  const g6_19 = g6 * 19;
  const g7_19 = g7 * 19;
  const g8_19 = g8 * 19;
  const g9_19 = g9 * 19;
  const h0: i64 =
    f0 * g0 +
    f1_2 * g9_19 +
    f2 * g8_19 +
    f3_2 * g7_19 +
    f4 * g6_19 +
    f5_2 * g5_19 +
    f6 * g4_19 +
    f7_2 * g3_19 +
    f8 * g2_19 +
    f9_2 * g1_19;
  const h1: i64 =
    f0 * g1 +
    f1 * g0 +
    f2 * g9_19 +
    f3 * g8_19 +
    f4 * g7_19 +
    f5 * g6_19 +
    f6 * g5_19 +
    f7 * g4_19 +
    f8 * g3_19 +
    f9 * g2_19;
  const h2: i64 =
    f0 * g2 +
    f1_2 * g1 +
    f2 * g0 +
    f3_2 * g9_19 +
    f4 * g8_19 +
    f5_2 * g7_19 +
    f6 * g6_19 +
    f7_2 * g5_19 +
    f8 * g4_19 +
    f9_2 * g3_19;
  const h3: i64 =
    f0 * g3 +
    f1 * g2 +
    f2 * g1 +
    f3 * g0 +
    f4 * g9_19 +
    f5 * g8_19 +
    f6 * g7_19 +
    f7 * g6_19 +
    f8 * g5_19 +
    f9 * g4_19;
  const h4: i64 =
    f0 * g4 +
    f1_2 * g3 +
    f2 * g2 +
    f3_2 * g1 +
    f4 * g0 +
    f5_2 * g9_19 +
    f6 * g8_19 +
    f7_2 * g7_19 +
    f8 * g6_19 +
    f9_2 * g5_19;
  const h5: i64 =
    f0 * g5 +
    f1 * g4 +
    f2 * g3 +
    f3 * g2 +
    f4 * g1 +
    f5 * g0 +
    f6 * g9_19 +
    f7 * g8_19 +
    f8 * g7_19 +
    f9 * g6_19;
  const h6: i64 =
    f0 * g6 +
    f1_2 * g5 +
    f2 * g4 +
    f3_2 * g3 +
    f4 * g2 +
    f5_2 * g1 +
    f6 * g0 +
    f7_2 * g9_19 +
    f8 * g8_19 +
    f9_2 * g7_19;
  const h7: i64 =
    f0 * g7 +
    f1 * g6 +
    f2 * g5 +
    f3 * g4 +
    f4 * g3 +
    f5 * g2 +
    f6 * g1 +
    f7 * g0 +
    f8 * g9_19 +
    f9 * g8_19;
  const h8: i64 =
    f0 * g8 +
    f1_2 * g7 +
    f2 * g6 +
    f3_2 * g5 +
    f4 * g4 +
    f5_2 * g3 +
    f6 * g2 +
    f7_2 * g1 +
    f8 * g0 +
    f9_2 * g9_19;
  const h9: i64 =
    f0 * g9 +
    f1 * g8 +
    f2 * g7 +
    f3 * g6 +
    f4 * g5 +
    f5 * g4 +
    f6 * g3 +
    f7 * g2 +
    f8 * g1 +
    f9 * g0;
  carry(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f^2. */
function feSq(h: usize, f: usize): void {
  const f0 = load<i64>(f, 0);
  const f1 = load<i64>(f, 8);
  const f2 = load<i64>(f, 16);
  const f3 = load<i64>(f, 24);
  const f4 = load<i64>(f, 32);
  const f5 = load<i64>(f, 40);
  const f6 = load<i64>(f, 48);
  const f7 = load<i64>(f, 56);
  const f8 = load<i64>(f, 64);
  const f9 = load<i64>(f, 72);
  const f0_2 = f0 * 2;
  const f1_2 = f1 * 2;
  const f1_4 = f1 * 4;
  const f2_2 = f2 * 2;
  const f3_2 = f3 * 2;
  const f3_4 = f3 * 4;
  const f4_2 = f4 * 2;
  const f5_19 = f5 * 19;
  const f5_2 = f5 * 2;
  const f5_4 = f5 * 4;
  const f6_19 = f6 * 19;
  const f6_2 = f6 * 2;
  const f7_19 = f7 * 19;
  const f7_2 = f7 * 2;
  const f7_4 = f7 * 4;
  const f8_19 = f8 * 19;
  const f8_2 = f8 * 2;
  const f9_19 = f9 * 19;
  const f9_2 = f9 * 2;
  const h0: i64 =
    f0 * f0 + f1_4 * f9_19 + f2_2 * f8_19 + f3_4 * f7_19 + f4_2 * f6_19 + f5_2 * f5_19;
  const h1: i64 = f0_2 * f1 + f2_2 * f9_19 + f3_2 * f8_19 + f4_2 * f7_19 + f5_2 * f6_19;
  const h2: i64 = f0_2 * f2 + f1_2 * f1 + f3_4 * f9_19 + f4_2 * f8_19 + f5_4 * f7_19 + f6 * f6_19;
  const h3: i64 = f0_2 * f3 + f1_2 * f2 + f4_2 * f9_19 + f5_2 * f8_19 + f6_2 * f7_19;
  const h4: i64 = f0_2 * f4 + f1_4 * f3 + f2 * f2 + f5_4 * f9_19 + f6_2 * f8_19 + f7_2 * f7_19;
  const h5: i64 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6_2 * f9_19 + f7_2 * f8_19;
  const h6: i64 = f0_2 * f6 + f1_4 * f5 + f2_2 * f4 + f3_2 * f3 + f7_4 * f9_19 + f8 * f8_19;
  const h7: i64 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8_2 * f9_19;
  const h8: i64 = f0_2 * f8 + f1_4 * f7 + f2_2 * f6 + f3_4 * f5 + f4 * f4 + f9_2 * f9_19;
  const h9: i64 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
  carry(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f^(2^n), n >= 1. */
function feSqN(h: usize, f: usize, n: i32): void {
  feSq(h, f);
  for (let i = 1; i < n; i++) feSq(h, h);
}

/** Little-endian bytes of a field element, 3 or 4 of them, as an i64. */
function load3(s: usize): i64 {
  return <i64>load<u16>(s) | ((<i64>load<u8>(s, 2)) << 16);
}

/** h = the 255-bit little-endian value at s (the top bit is ignored), not reduced mod p. */
function feFromBytes(h: usize, s: usize): void {
  carry(
    h,
    <i64>load<u32>(s),
    load3(s + 4) << 6,
    load3(s + 7) << 5,
    load3(s + 10) << 3,
    load3(s + 13) << 2,
    <i64>load<u32>(s + 16),
    load3(s + 20) << 7,
    load3(s + 23) << 5,
    load3(s + 26) << 4,
    (load3(s + 29) & 8388607) << 2,
  );
}

const TO_BYTES_T: usize = memory.data(80, 8);

/** The canonical encoding (fully reduced mod p) of f, 32 bytes at s (ref10's fe_tobytes). */
function feToBytes(s: usize, f: usize): void {
  const t = TO_BYTES_T;
  feCarry(t, f);
  let h0 = load<i64>(t, 0),
    h1 = load<i64>(t, 8),
    h2 = load<i64>(t, 16),
    h3 = load<i64>(t, 24);
  let h4 = load<i64>(t, 32),
    h5 = load<i64>(t, 40),
    h6 = load<i64>(t, 48),
    h7 = load<i64>(t, 56);
  let h8 = load<i64>(t, 64),
    h9 = load<i64>(t, 72);
  // q = floor(h / p), 0 or 1 once h is carried: then h - q*p is the canonical value.
  let q = (19 * h9 + B24) >> 25;
  q = (h0 + q) >> 26;
  q = (h1 + q) >> 25;
  q = (h2 + q) >> 26;
  q = (h3 + q) >> 25;
  q = (h4 + q) >> 26;
  q = (h5 + q) >> 25;
  q = (h6 + q) >> 26;
  q = (h7 + q) >> 25;
  q = (h8 + q) >> 26;
  q = (h9 + q) >> 25;
  h0 += 19 * q;
  let c = h0 >> 26;
  h1 += c;
  h0 -= c << 26;
  c = h1 >> 25;
  h2 += c;
  h1 -= c << 25;
  c = h2 >> 26;
  h3 += c;
  h2 -= c << 26;
  c = h3 >> 25;
  h4 += c;
  h3 -= c << 25;
  c = h4 >> 26;
  h5 += c;
  h4 -= c << 26;
  c = h5 >> 25;
  h6 += c;
  h5 -= c << 25;
  c = h6 >> 26;
  h7 += c;
  h6 -= c << 26;
  c = h7 >> 25;
  h8 += c;
  h7 -= c << 25;
  c = h8 >> 26;
  h9 += c;
  h8 -= c << 26;
  c = h9 >> 25;
  h9 -= c << 25;
  // Limbs are now exact: 26/25-bit non-negative pieces at bit offsets 0, 26, 51, 77, 102,
  // 128, 153, 179, 204, 230. Assemble four 64-bit words.
  const w0 = <u64>h0 | ((<u64>h1) << 26) | ((<u64>h2) << 51);
  const w1 = (<u64>h2 >> 13) | ((<u64>h3) << 13) | ((<u64>h4) << 38);
  const w2 = <u64>h5 | ((<u64>h6) << 25) | ((<u64>h7) << 51);
  const w3 = (<u64>h7 >> 13) | ((<u64>h8) << 12) | ((<u64>h9) << 38);
  store<u64>(s, w0, 0);
  store<u64>(s, w1, 8);
  store<u64>(s, w2, 16);
  store<u64>(s, w3, 24);
}

const CMP_A: usize = memory.data(32, 8);
const CMP_B: usize = memory.data(32, 8);

function feIsNegative(f: usize): bool {
  feToBytes(CMP_A, f);
  return (load<u8>(CMP_A) & 1) === 1;
}

function feIsZero(f: usize): bool {
  feToBytes(CMP_A, f);
  return (
    (load<u64>(CMP_A, 0) | load<u64>(CMP_A, 8) | load<u64>(CMP_A, 16) | load<u64>(CMP_A, 24)) === 0
  );
}

function feEqual(f: usize, g: usize): bool {
  feToBytes(CMP_A, f);
  feToBytes(CMP_B, g);
  return bytes32Equal(CMP_A, CMP_B);
}

function bytes32Equal(a: usize, b: usize): bool {
  return (
    load<u64>(a, 0) === load<u64>(b, 0) &&
    load<u64>(a, 8) === load<u64>(b, 8) &&
    load<u64>(a, 16) === load<u64>(b, 16) &&
    load<u64>(a, 24) === load<u64>(b, 24)
  );
}

/** h = |f|: f or -f, whichever is non-negative (even canonical encoding). */
function feAbs(h: usize, f: usize): void {
  if (feIsNegative(f)) feNeg(h, f);
  else if (h !== f) feCopy(h, f);
}

const POW_T0: usize = memory.data(80, 8);
const POW_T1: usize = memory.data(80, 8);
const POW_T2: usize = memory.data(80, 8);

/** h = z^((p-5)/8) = z^(2^252 - 3) (ref10's fe_pow22523 addition chain). */
function fePow22523(h: usize, z: usize): void {
  const t0 = POW_T0,
    t1 = POW_T1,
    t2 = POW_T2;
  feSq(t0, z);
  feSqN(t1, t0, 2);
  feMul(t1, z, t1);
  feMul(t0, t0, t1);
  feSq(t0, t0);
  feMul(t0, t1, t0);
  feSqN(t1, t0, 5);
  feMul(t0, t1, t0);
  feSqN(t1, t0, 10);
  feMul(t1, t1, t0);
  feSqN(t2, t1, 20);
  feMul(t1, t2, t1);
  feSqN(t1, t1, 10);
  feMul(t0, t1, t0);
  feSqN(t1, t0, 50);
  feMul(t1, t1, t0);
  feSqN(t2, t1, 100);
  feMul(t1, t2, t1);
  feSqN(t1, t1, 50);
  feMul(t0, t1, t0);
  feSqN(t0, t0, 2);
  feMul(h, t0, z);
}

const SR_V3: usize = memory.data(80, 8);
const SR_V7: usize = memory.data(80, 8);
const SR_R: usize = memory.data(80, 8);
const SR_CHECK: usize = memory.data(80, 8);
const SR_T: usize = memory.data(80, 8);

/**
 * SQRT_RATIO_M1(u, v) of RFC 9496 section 4.2: r = the non-negative sqrt(u/v) and true if
 * u/v is square, else r = the non-negative sqrt(i*u/v) and false (0 when u = 0; v = 0 gives
 * r = 0 and true only when u = 0).
 */
function sqrtRatioM1(r: usize, u: usize, v: usize): bool {
  const v3 = SR_V3,
    v7 = SR_V7,
    rr = SR_R,
    check = SR_CHECK,
    t = SR_T;
  feSq(v3, v);
  feMul(v3, v3, v); // v^3
  feSq(v7, v3);
  feMul(v7, v7, v); // v^7
  feMul(t, u, v7);
  fePow22523(t, t); // (u*v^7)^((p-5)/8)
  feMul(rr, u, v3);
  feMul(rr, rr, t); // r = (u*v^3) * (u*v^7)^((p-5)/8)
  feSq(check, rr);
  feMul(check, check, v); // check = v*r^2
  const correct = feEqual(check, u);
  feNeg(t, u);
  const flipped = feEqual(check, t);
  feMul(t, t, SQRT_M1);
  const flippedI = feEqual(check, t);
  if (flipped || flippedI) feMul(rr, rr, SQRT_M1);
  feAbs(r, rr);
  return correct || flipped;
}

// ---------------------------------------------------------------------------------------
// Points

function pointIdentity(p: usize): void {
  memory.fill(p, 0, POINT);
  store<i64>(p + PY, 1);
  store<i64>(p + PZ, 1);
}

function pointCopy(p: usize, q: usize): void {
  memory.copy(p, q, POINT);
}

function pointNegate(r: usize, p: usize): void {
  feNeg(r + PX, p + PX);
  if (r !== p) {
    feCopy(r + PY, p + PY);
    feCopy(r + PZ, p + PZ);
  }
  feNeg(r + PT, p + PT);
}

const ADD_A: usize = memory.data(80, 8);
const ADD_B: usize = memory.data(80, 8);
const ADD_C: usize = memory.data(80, 8);
const ADD_D: usize = memory.data(80, 8);
const ADD_E: usize = memory.data(80, 8);
const ADD_F: usize = memory.data(80, 8);
const ADD_G: usize = memory.data(80, 8);
const ADD_H: usize = memory.data(80, 8);

/** r = E*F, G*H, F*G, E*H from the temporaries: the shared tail of addition and doubling. */
function finishEFGH(r: usize): void {
  feMul(r + PX, ADD_E, ADD_F);
  feMul(r + PY, ADD_G, ADD_H);
  feMul(r + PZ, ADD_F, ADD_G);
  feMul(r + PT, ADD_E, ADD_H);
}

/** r = p + q, both extended (add-2008-hwcd-3 with k = 2d; complete on this curve). */
function pointAdd(r: usize, p: usize, q: usize): void {
  feSub(ADD_A, p + PY, p + PX);
  feSub(ADD_E, q + PY, q + PX);
  feMul(ADD_A, ADD_A, ADD_E);
  feAdd(ADD_B, p + PY, p + PX);
  feAdd(ADD_E, q + PY, q + PX);
  feMul(ADD_B, ADD_B, ADD_E);
  feMul(ADD_C, p + PT, q + PT);
  feMul(ADD_C, ADD_C, D2);
  feAdd(ADD_D, p + PZ, p + PZ);
  feMul(ADD_D, ADD_D, q + PZ);
  feSub(ADD_E, ADD_B, ADD_A);
  feSub(ADD_F, ADD_D, ADD_C);
  feAdd(ADD_G, ADD_D, ADD_C);
  feAdd(ADD_H, ADD_B, ADD_A);
  finishEFGH(r);
}

/** The cached form of p: (Y+X, Y-X, 2Z, 2dT), so that adding it costs 8 multiplications. */
function pointToCached(c: usize, p: usize): void {
  feAdd(ADD_A, p + PY, p + PX);
  feSub(ADD_B, p + PY, p + PX);
  feCarry(c + PX, ADD_A);
  feCarry(c + PY, ADD_B);
  feAdd(c + PZ, p + PZ, p + PZ);
  feMul(c + PT, p + PT, D2);
}

/** r = p + c (negate: r = p - c), c in cached form. */
function pointAddCached(r: usize, p: usize, c: usize, negate: bool): void {
  feSub(ADD_A, p + PY, p + PX);
  feMul(ADD_A, ADD_A, negate ? c + PX : c + PY);
  feAdd(ADD_B, p + PY, p + PX);
  feMul(ADD_B, ADD_B, negate ? c + PY : c + PX);
  feMul(ADD_C, p + PT, c + PT);
  feMul(ADD_D, p + PZ, c + PZ);
  feSub(ADD_E, ADD_B, ADD_A);
  feAdd(ADD_H, ADD_B, ADD_A);
  if (negate) {
    feAdd(ADD_F, ADD_D, ADD_C);
    feSub(ADD_G, ADD_D, ADD_C);
  } else {
    feSub(ADD_F, ADD_D, ADD_C);
    feAdd(ADD_G, ADD_D, ADD_C);
  }
  finishEFGH(r);
}

/** r = 2p (dbl-2008-hwcd with a = -1). */
function pointDouble(r: usize, p: usize): void {
  feSq(ADD_A, p + PX);
  feSq(ADD_B, p + PY);
  feSq(ADD_C, p + PZ);
  feAdd(ADD_C, ADD_C, ADD_C);
  feAdd(ADD_E, p + PX, p + PY);
  feSq(ADD_E, ADD_E);
  feSub(ADD_E, ADD_E, ADD_A);
  feSub(ADD_E, ADD_E, ADD_B); // E = (X+Y)^2 - A - B
  feSub(ADD_G, ADD_B, ADD_A); // G = B - A
  feSub(ADD_F, ADD_G, ADD_C); // F = G - C
  feNeg(ADD_H, ADD_A);
  feSub(ADD_H, ADD_H, ADD_B); // H = -A - B
  finishEFGH(r);
}

/** Ristretto equality: X1*Y2 == Y1*X2 or Y1*Y2 == X1*X2. */
const EQ_L: usize = memory.data(80, 8);
const EQ_R: usize = memory.data(80, 8);
function pointEqual(p: usize, q: usize): bool {
  feMul(EQ_L, p + PX, q + PY);
  feMul(EQ_R, p + PY, q + PX);
  if (feEqual(EQ_L, EQ_R)) return true;
  feMul(EQ_L, p + PY, q + PY);
  feMul(EQ_R, p + PX, q + PX);
  return feEqual(EQ_L, EQ_R);
}

function pointFromWire(p: usize, w: usize): void {
  feFromBytes(p + PX, w);
  feFromBytes(p + PY, w + 32);
  feFromBytes(p + PZ, w + 64);
  feFromBytes(p + PT, w + 96);
}

function pointToWire(w: usize, p: usize): void {
  feToBytes(w, p + PX);
  feToBytes(w + 32, p + PY);
  feToBytes(w + 64, p + PZ);
  feToBytes(w + 96, p + PT);
}

// ---------------------------------------------------------------------------------------
// Ristretto encoding and decoding (RFC 9496 sections 4.3.1, 4.3.2, 4.3.4)

const DE_S: usize = memory.data(80, 8);
const DE_SS: usize = memory.data(80, 8);
const DE_U1: usize = memory.data(80, 8);
const DE_U2: usize = memory.data(80, 8);
const DE_U2SQ: usize = memory.data(80, 8);
const DE_V: usize = memory.data(80, 8);
const DE_T: usize = memory.data(80, 8);
const DE_INV: usize = memory.data(80, 8);
const DE_DX: usize = memory.data(80, 8);
const DE_DY: usize = memory.data(80, 8);
const DE_BYTES: usize = memory.data(32, 8);

/**
 * Decodes the 32 bytes at s into the extended point p (Z = 1). Returns false, leaving p
 * unspecified, for every encoding RFC 9496 rejects: a non-canonical field element (top bit
 * set or value >= p), negative s, a failed square root, negative t = x*y, or y = 0.
 */
function decodeInto(p: usize, s: usize): bool {
  feFromBytes(DE_S, s);
  feToBytes(DE_BYTES, DE_S);
  if (!bytes32Equal(DE_BYTES, s)) return false; // not canonical
  if ((load<u8>(s) & 1) === 1) return false; // negative s
  feSq(DE_SS, DE_S);
  feSub(DE_U1, ONE, DE_SS); // u1 = 1 + a*s^2, a = -1
  feAdd(DE_U2, ONE, DE_SS); // u2 = 1 - a*s^2
  feSq(DE_U2SQ, DE_U2);
  feSq(DE_T, DE_U1);
  feMul(DE_T, DE_T, D);
  feNeg(DE_T, DE_T);
  feSub(DE_V, DE_T, DE_U2SQ); // v = -(D * u1^2) - u2^2
  feMul(DE_T, DE_V, DE_U2SQ);
  const wasSquare = sqrtRatioM1(DE_INV, ONE, DE_T);
  feMul(DE_DX, DE_INV, DE_U2); // den_x
  feMul(DE_DY, DE_INV, DE_DX);
  feMul(DE_DY, DE_DY, DE_V); // den_y
  feAdd(DE_T, DE_S, DE_S);
  feMul(DE_T, DE_T, DE_DX);
  feAbs(p + PX, DE_T); // x = |2 s den_x|
  feMul(p + PY, DE_U1, DE_DY); // y = u1 den_y
  feOne(p + PZ);
  feMul(p + PT, p + PX, p + PY);
  if (!wasSquare) return false;
  if (feIsNegative(p + PT)) return false;
  if (feIsZero(p + PY)) return false;
  return true;
}

const EN_U1: usize = memory.data(80, 8);
const EN_U2: usize = memory.data(80, 8);
const EN_T: usize = memory.data(80, 8);
const EN_INV: usize = memory.data(80, 8);
const EN_DEN1: usize = memory.data(80, 8);
const EN_DEN2: usize = memory.data(80, 8);
const EN_ZINV: usize = memory.data(80, 8);
const EN_X: usize = memory.data(80, 8);
const EN_Y: usize = memory.data(80, 8);
const EN_DENINV: usize = memory.data(80, 8);

/** The canonical 32-byte encoding of the extended point p, at s. */
function encodeFrom(s: usize, p: usize): void {
  feAdd(EN_U1, p + PZ, p + PY);
  feSub(EN_T, p + PZ, p + PY);
  feMul(EN_U1, EN_U1, EN_T); // u1 = (Z+Y)(Z-Y)
  feMul(EN_U2, p + PX, p + PY); // u2 = X*Y
  feSq(EN_T, EN_U2);
  feMul(EN_T, EN_T, EN_U1);
  sqrtRatioM1(EN_INV, ONE, EN_T);
  feMul(EN_DEN1, EN_INV, EN_U1);
  feMul(EN_DEN2, EN_INV, EN_U2);
  feMul(EN_ZINV, EN_DEN1, EN_DEN2);
  feMul(EN_ZINV, EN_ZINV, p + PT);
  feMul(EN_T, p + PT, EN_ZINV);
  if (feIsNegative(EN_T)) {
    // rotate: x = Y*sqrt(-1), y = X*sqrt(-1), den_inv = den1 / sqrt(a - d)
    feMul(EN_X, p + PY, SQRT_M1);
    feMul(EN_Y, p + PX, SQRT_M1);
    feMul(EN_DENINV, EN_DEN1, INVSQRT_A_MINUS_D);
  } else {
    feCopy(EN_X, p + PX);
    feCopy(EN_Y, p + PY);
    feCopy(EN_DENINV, EN_DEN2);
  }
  feMul(EN_T, EN_X, EN_ZINV);
  if (feIsNegative(EN_T)) feNeg(EN_Y, EN_Y);
  feSub(EN_T, p + PZ, EN_Y);
  feMul(EN_T, EN_DENINV, EN_T);
  feAbs(EN_T, EN_T);
  feToBytes(s, EN_T);
}

const MAP_R: usize = memory.data(80, 8);
const MAP_U: usize = memory.data(80, 8);
const MAP_V: usize = memory.data(80, 8);
const MAP_S: usize = memory.data(80, 8);
const MAP_C: usize = memory.data(80, 8);
const MAP_N: usize = memory.data(80, 8);
const MAP_T: usize = memory.data(80, 8);
const MAP_W0: usize = memory.data(80, 8);
const MAP_W1: usize = memory.data(80, 8);
const MAP_W2: usize = memory.data(80, 8);
const MAP_W3: usize = memory.data(80, 8);
const MAP_IN: usize = memory.data(80, 8);

/** MAP of RFC 9496 section 4.3.4 (Elligator) of the field element t, into p. */
function mapToPoint(p: usize, t: usize): void {
  feSq(MAP_R, t);
  feMul(MAP_R, MAP_R, SQRT_M1); // r = SQRT_M1 * t^2
  feAdd(MAP_U, MAP_R, ONE);
  feMul(MAP_U, MAP_U, ONE_MINUS_D_SQ); // u = (r + 1) * ONE_MINUS_D_SQ
  feMul(MAP_T, MAP_R, D);
  feNeg(MAP_V, ONE);
  feSub(MAP_V, MAP_V, MAP_T); // -1 - r*D
  feAdd(MAP_T, MAP_R, D);
  feMul(MAP_V, MAP_V, MAP_T); // v = (-1 - r*D) * (r + D)
  const wasSquare = sqrtRatioM1(MAP_S, MAP_U, MAP_V);
  if (wasSquare) {
    feNeg(MAP_C, ONE);
  } else {
    feMul(MAP_T, MAP_S, t);
    feAbs(MAP_T, MAP_T);
    feNeg(MAP_S, MAP_T); // s' = -|s*t|
    feCopy(MAP_C, MAP_R);
  }
  feSub(MAP_T, MAP_R, ONE);
  feMul(MAP_N, MAP_C, MAP_T);
  feMul(MAP_N, MAP_N, D_MINUS_ONE_SQ);
  feSub(MAP_N, MAP_N, MAP_V); // N = c * (r - 1) * D_MINUS_ONE_SQ - v
  feAdd(MAP_W0, MAP_S, MAP_S);
  feMul(MAP_W0, MAP_W0, MAP_V); // w0 = 2 s v
  feMul(MAP_W1, MAP_N, SQRT_AD_MINUS_ONE);
  feSq(MAP_T, MAP_S);
  feSub(MAP_W2, ONE, MAP_T);
  feAdd(MAP_W3, ONE, MAP_T);
  feMul(p + PX, MAP_W0, MAP_W3);
  feMul(p + PY, MAP_W2, MAP_W1);
  feMul(p + PZ, MAP_W1, MAP_W3);
  feMul(p + PT, MAP_W0, MAP_W2);
}

// ---------------------------------------------------------------------------------------
// Memory for inputs and scratch

const BASE: usize = (__heap_base + 15) & ~(<usize>15);

/** Makes sure [0, end) is addressable, growing the memory if needed. */
function reserve(end: usize): void {
  const have = (<usize>memory.size()) << 16;
  if (end <= have) return;
  const pages = <i32>((end - have + 0xffff) >> 16);
  if (memory.grow(pages) < 0) unreachable();
}

/** The start of the region the caller lays its inputs and outputs in, with `size` bytes. */
export function buffer(size: usize): usize {
  reserve(BASE + size);
  return BASE;
}

// ---------------------------------------------------------------------------------------
// Multi-scalar multiplication

/** `count` bits of the 32-byte little-endian scalar s from bit `bit` (bits past 255 are 0). */
function bitsAt(s: usize, bit: i32, count: i32): i32 {
  const byte = bit >> 3;
  let v: u32 = 0;
  for (let k = 0; k < 4; k++) {
    const at = byte + k;
    if (at < 32) v |= (<u32>load<u8>(s + <usize>at)) << (<u32>(8 * k));
  }
  return <i32>((v >> <u32>(bit & 7)) & (((<u32>1) << (<u32>count)) - 1));
}

/** Windows of c bits cover a scalar < 2^253 with signed digits and no final carry. */
function windowCount(c: i32): i32 {
  return (254 + c - 1) / c;
}

/**
 * Signed c-bit digits of the scalar at s, least significant first, each in
 * [-2^(c-1), 2^(c-1)], written as i32 at out. The scalar must be below 2^253.
 */
function recode(out: usize, s: usize, c: i32): void {
  const windows = windowCount(c);
  const half = 1 << (c - 1);
  let carryIn = 0;
  for (let w = 0; w < windows; w++) {
    let d = bitsAt(s, w * c, c) + carryIn;
    if (d > half) {
      d -= 1 << c;
      carryIn = 1;
    } else {
      carryIn = 0;
    }
    store<i32>(out + ((<usize>w) << 2), d);
  }
}

const STRAUS_WINDOW: i32 = 5;
const STRAUS_TABLE: i32 = 16; // multiples 1..2^(w-1) of each point

/** Point additions of each method for n points, from their loop structure. */
function strausCost(n: i32): i32 {
  return n * (STRAUS_TABLE - 1 + windowCount(STRAUS_WINDOW)) + 254;
}

function pippengerCost(n: i32, c: i32): i32 {
  return windowCount(c) * (n + (1 << c)) + 254;
}

const ACC: usize = memory.data(320, 8);
const RUNNING: usize = memory.data(320, 8);
const SUM: usize = memory.data(320, 8);
const TMP_POINT: usize = memory.data(320, 8);

/**
 * Straus (interleaved windows) for small n: a table of 1..16 times each point (cached form),
 * signed 5-bit digits, one shared chain of doublings.
 */
function straus(n: i32, points: usize, scalars: usize, scratch: usize): void {
  const windows = windowCount(STRAUS_WINDOW);
  const tables = scratch;
  const tableBytes = <usize>STRAUS_TABLE * POINT;
  const digits = tables + <usize>n * tableBytes;
  reserve(digits + <usize>(n * windows) * 4);
  for (let i = 0; i < n; i++) {
    const table = tables + <usize>i * tableBytes;
    pointFromWire(TMP_POINT, points + <usize>i * WIRE_POINT);
    pointToCached(table, TMP_POINT);
    pointCopy(RUNNING, TMP_POINT);
    for (let k = 1; k < STRAUS_TABLE; k++) {
      pointAddCached(RUNNING, RUNNING, table, false);
      pointToCached(table + <usize>k * POINT, RUNNING);
    }
    recode(digits + <usize>(i * windows) * 4, scalars + <usize>i * 32, STRAUS_WINDOW);
  }
  pointIdentity(ACC);
  let started = false;
  for (let w = windows - 1; w >= 0; w--) {
    if (started) for (let k = 0; k < STRAUS_WINDOW; k++) pointDouble(ACC, ACC);
    for (let i = 0; i < n; i++) {
      const d = load<i32>(digits + <usize>(i * windows + w) * 4);
      if (d === 0) continue;
      const table = tables + <usize>i * tableBytes;
      if (d > 0) pointAddCached(ACC, ACC, table + <usize>(d - 1) * POINT, false);
      else pointAddCached(ACC, ACC, table + <usize>(-d - 1) * POINT, true);
      started = true;
    }
  }
}

/**
 * Pippenger's bucket method with signed c-bit digits (2^(c-1) buckets per window). Each point
 * is kept in extended form (to start an empty bucket by copying) and cached form (to add).
 */
function pippenger(n: i32, points: usize, scalars: usize, scratch: usize, c: i32): void {
  const windows = windowCount(c);
  const buckets = 1 << (c - 1);
  const ext = scratch;
  const cached = ext + <usize>n * POINT;
  const digits = cached + <usize>n * POINT;
  const bucketArea = digits + <usize>(n * windows) * 4;
  const flags = bucketArea + <usize>buckets * POINT;
  reserve(flags + <usize>buckets);
  for (let i = 0; i < n; i++) {
    const e = ext + <usize>i * POINT;
    pointFromWire(e, points + <usize>i * WIRE_POINT);
    pointToCached(cached + <usize>i * POINT, e);
    recode(digits + <usize>(i * windows) * 4, scalars + <usize>i * 32, c);
  }
  pointIdentity(ACC);
  let started = false;
  for (let w = windows - 1; w >= 0; w--) {
    if (started) for (let k = 0; k < c; k++) pointDouble(ACC, ACC);
    memory.fill(flags, 0, <usize>buckets);
    for (let i = 0; i < n; i++) {
      const d = load<i32>(digits + <usize>(i * windows + w) * 4);
      if (d === 0) continue;
      const k = d > 0 ? d - 1 : -d - 1;
      const bucket = bucketArea + <usize>k * POINT;
      if (load<u8>(flags + <usize>k) === 0) {
        store<u8>(flags + <usize>k, 1);
        if (d > 0) pointCopy(bucket, ext + <usize>i * POINT);
        else pointNegate(bucket, ext + <usize>i * POINT);
      } else {
        pointAddCached(bucket, bucket, cached + <usize>i * POINT, d < 0);
      }
    }
    // sum_k (k+1) * bucket[k] as a running sum from the top bucket down.
    let running = false;
    let summed = false;
    for (let k = buckets - 1; k >= 0; k--) {
      if (load<u8>(flags + <usize>k) !== 0) {
        const bucket = bucketArea + <usize>k * POINT;
        if (running) pointAdd(RUNNING, RUNNING, bucket);
        else pointCopy(RUNNING, bucket);
        running = true;
      }
      if (running) {
        if (summed) pointAdd(SUM, SUM, RUNNING);
        else pointCopy(SUM, RUNNING);
        summed = true;
      }
    }
    if (summed) {
      if (started) pointAdd(ACC, ACC, SUM);
      else pointCopy(ACC, SUM);
      started = true;
    }
  }
}

/**
 * out = sum scalars[i] * points[i]: n wire points at `points`, n 32-byte scalars (each below
 * 2^253) at `scalars`, the result as a wire point at `out`; working memory from `scratch` on.
 * Picks Straus or Pippenger (and Pippenger's window) by counting point additions.
 */
export function msm(n: i32, points: usize, scalars: usize, out: usize, scratch: usize): void {
  let bestC = 0;
  let best = strausCost(n);
  for (let c = 2; c <= 16; c++) {
    const cost = pippengerCost(n, c);
    if (cost < best) {
      best = cost;
      bestC = c;
    }
  }
  if (n === 0) pointIdentity(ACC);
  else if (bestC === 0) straus(n, points, scalars, scratch);
  else pippenger(n, points, scalars, scratch, bestC);
  pointToWire(out, ACC);
}

// ---------------------------------------------------------------------------------------
// Exports on wire formats

const EX_P: usize = memory.data(320, 8);
const EX_Q: usize = memory.data(320, 8);
const EX_F: usize = memory.data(80, 8);
const EX_G: usize = memory.data(80, 8);

/**
 * Decodes the 32-byte encoding at s; on success writes the point (Z = 1) as a wire point at
 * out and returns 1; returns 0 for an invalid encoding.
 */
export function decode(s: usize, out: usize): i32 {
  if (!decodeInto(EX_P, s)) return 0;
  pointToWire(out, EX_P);
  return 1;
}

/** The canonical encoding of the wire point at p, 32 bytes at out. */
export function encode(p: usize, out: usize): void {
  pointFromWire(EX_P, p);
  encodeFrom(out, EX_P);
}

/** RFC 9496 section 4.3.4 element derivation of the 64 bytes at b, as a wire point at out. */
export function fromUniformBytes(b: usize, out: usize): void {
  memory.copy(CMP_B, b, 32);
  store<u8>(CMP_B, load<u8>(CMP_B, 31) & 0x7f, 31);
  feFromBytes(MAP_IN, CMP_B);
  mapToPoint(EX_P, MAP_IN);
  memory.copy(CMP_B, b + 32, 32);
  store<u8>(CMP_B, load<u8>(CMP_B, 31) & 0x7f, 31);
  feFromBytes(MAP_IN, CMP_B);
  mapToPoint(EX_Q, MAP_IN);
  pointAdd(EX_P, EX_P, EX_Q);
  pointToWire(out, EX_P);
}

export function add(p: usize, q: usize, out: usize): void {
  pointFromWire(EX_P, p);
  pointFromWire(EX_Q, q);
  pointAdd(EX_P, EX_P, EX_Q);
  pointToWire(out, EX_P);
}

/** p - q through the cached form (the path Pippenger's buckets take). */
export function subtract(p: usize, q: usize, out: usize): void {
  pointFromWire(EX_P, p);
  pointFromWire(EX_Q, q);
  pointToCached(EX_Q, EX_Q);
  pointAddCached(EX_P, EX_P, EX_Q, true);
  pointToWire(out, EX_P);
}

export function double(p: usize, out: usize): void {
  pointFromWire(EX_P, p);
  pointDouble(EX_P, EX_P);
  pointToWire(out, EX_P);
}

/** 1 when the wire points p and q are the same ristretto255 element. */
export function equal(p: usize, q: usize): i32 {
  pointFromWire(EX_P, p);
  pointFromWire(EX_Q, q);
  return pointEqual(EX_P, EX_Q) ? 1 : 0;
}

// Field operations on 32-byte values (any value below 2^255), for the differential tests.
export function fieldMul(a: usize, b: usize, out: usize): void {
  feFromBytes(EX_F, a);
  feFromBytes(EX_G, b);
  feMul(EX_F, EX_F, EX_G);
  feToBytes(out, EX_F);
}

export function fieldSquare(a: usize, out: usize): void {
  feFromBytes(EX_F, a);
  feSq(EX_F, EX_F);
  feToBytes(out, EX_F);
}

export function fieldAdd(a: usize, b: usize, out: usize): void {
  feFromBytes(EX_F, a);
  feFromBytes(EX_G, b);
  feAdd(EX_F, EX_F, EX_G);
  feToBytes(out, EX_F);
}

export function fieldSubtract(a: usize, b: usize, out: usize): void {
  feFromBytes(EX_F, a);
  feFromBytes(EX_G, b);
  feSub(EX_F, EX_F, EX_G);
  feToBytes(out, EX_F);
}

/** Writes SQRT_RATIO_M1(u, v)'s root at out; returns 1 when u/v was square. */
export function fieldSqrtRatio(u: usize, v: usize, out: usize): i32 {
  feFromBytes(EX_F, u);
  feFromBytes(EX_G, v);
  const square = sqrtRatioM1(EX_F, EX_F, EX_G);
  feToBytes(out, EX_F);
  return square ? 1 : 0;
}
