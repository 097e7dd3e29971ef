/**
 * The ristretto255 group (RFC 9496) as the election code uses it: a prime-order group with
 * canonical 32-byte encodings, so every point on the wire has exactly one byte form and no
 * cofactor or small-subgroup checks are ever needed. Scalars are integers mod the group order
 * L, encoded as 32 bytes little-endian (RFC 9496 convention) and rejected unless < L.
 *
 * Decoding a point costs an inverse square root (~0.1 ms in pure JS, ~12 us in WebAssembly),
 * and a ballot's points are needed more than once (decoding, proofs, tally), so decodings are
 * memoised per byte-array object (and re-checked against the bytes on every use).
 *
 * Decoding, encodePublicPoint and msmPublic work on public data and go through the backend
 * seam (public-arithmetic.ts: WebAssembly or noble); mulSecret and encodePoint, which provers
 * use on values derived from secrets, always stay on noble.
 */
import { ristretto255 } from "@noble/curves/ed25519.js";
import { setBounded } from "../bounded-map.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import { publicArithmetic } from "./public-arithmetic.ts";

export const Point = ristretto255.Point;
export type Point = InstanceType<typeof Point>;

/** Group order L = 2^252 + 27742317777372353535851937790883648493. */
export const ORDER: bigint = Point.Fn.ORDER;
export const POINT_LENGTH = 32;
export const SCALAR_LENGTH = 32;

export const G: Point = Point.BASE;
export const IDENTITY: Point = Point.ZERO;

export function mod(x: bigint): bigint {
  const r = x % ORDER;
  return r < 0n ? r + ORDER : r;
}

export function negate(x: bigint): bigint {
  return x === 0n ? 0n : ORDER - mod(x);
}

/** Modular inverse by Fermat (L is prime); only used on public values (Lagrange denominators). */
export function invert(x: bigint): bigint {
  const v = mod(x);
  if (v === 0n) throw new SaylauError("election/bad_scalar", "zero has no inverse");
  return Point.Fn.inv(v);
}

export function scalarToBytes(x: bigint): Uint8Array {
  let v = mod(x);
  const out = new Uint8Array(SCALAR_LENGTH);
  for (let i = 0; i < SCALAR_LENGTH; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytesToBigIntLE(bytes: Uint8Array): bigint {
  let n = 0n;
  let i = bytes.length;
  // Eight bytes at a time where possible: a scalar is 4 BigInt steps instead of 32.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (i >= 8) {
    i -= 8;
    n = (n << 64n) | view.getBigUint64(i, true);
  }
  while (i > 0) n = (n << 8n) | BigInt(bytes[--i]!);
  return n;
}

/** Canonical scalar decoding: exactly 32 bytes, value < L. */
export function decodeScalar(bytes: Uint8Array, field = "scalar"): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== SCALAR_LENGTH) {
    throw new SaylauError("election/bad_scalar", `${field}: a scalar is ${SCALAR_LENGTH} bytes`, {
      field,
    });
  }
  const value = bytesToBigIntLE(bytes);
  if (value >= ORDER) {
    throw new SaylauError("election/bad_scalar", `${field}: scalar is not reduced mod L`, {
      field,
    });
  }
  return value;
}

/**
 * Memo of decoded points per byte-array object. The entry keeps a copy of the bytes and is
 * used only while they still match, so a buffer reused or modified after decoding can never
 * stand for its old point.
 */
const decodedPoints = new WeakMap<
  Uint8Array,
  { readonly bytes: Uint8Array; readonly point: Point }
>();

function remember(bytes: Uint8Array, point: Point): void {
  decodedPoints.set(bytes, { bytes: Uint8Array.from(bytes), point });
}

/**
 * Canonical point decoding (RFC 9496 §4.3.1): non-canonical field encodings, negative s,
 * non-square and the other invalid cases all throw `election/bad_point`.
 */
export function decodePoint(bytes: Uint8Array, field = "point"): Point {
  const cached = decodedPoints.get(bytes);
  if (cached !== undefined && bytesEqual(cached.bytes, bytes)) return cached.point;
  if (!(bytes instanceof Uint8Array) || bytes.length !== POINT_LENGTH) {
    throw new SaylauError("election/bad_point", `${field}: a point is ${POINT_LENGTH} bytes`, {
      field,
    });
  }
  if (handedOver.size > 0) {
    const hex = toHex(bytes);
    const known = handedOver.get(hex);
    if (known !== undefined) {
      // Taken once: later decodings of this array come from the memo above.
      handedOver.delete(hex);
      remember(bytes, known);
      return known;
    }
  }
  const point = publicArithmetic().decode(bytes);
  if (point === undefined) {
    throw new SaylauError("election/bad_point", `${field}: not a canonical ristretto255 point`, {
      field,
    });
  }
  remember(bytes, point);
  return point;
}

/**
 * Decodings handed over from another thread that already decoded the same bytes (a
 * validator's verification workers decode every ballot point; its main thread then needs
 * the ciphertexts again for the tally, and an inverse square root per point there would be
 * main-thread work the workers have already done). Keyed by the canonical encoding, which
 * names exactly one point; each entry is used once, bounded, oldest first out. Only a
 * decoding made by decodePoint itself may be handed over (see handOverDecoding), so a hit
 * returns what decoding would.
 */
const HANDED_OVER_LIMIT = 50_000;
const handedOver = new Map<string, Point>();

/** A decoded point in a form that crosses threads: its encoding and affine coordinates. */
export interface HandedOverPoint {
  readonly hex: string;
  readonly x: bigint;
  readonly y: bigint;
}

/** Export the decoding of `bytes` (decoding it if needed) for another thread's cache. */
export function handOverDecoding(bytes: Uint8Array): HandedOverPoint {
  const point = decodePoint(bytes);
  // fromBytes leaves Z = 1, so the affine coordinates need no inversion; read them directly.
  const ep = (point as unknown as { ep: { X: bigint; Y: bigint; Z: bigint } }).ep;
  const { x, y } = ep.Z === 1n ? { x: ep.X, y: ep.Y } : point.toAffine();
  return { hex: toHex(bytes), x, y };
}

/** Accept decodings exported by handOverDecoding in a thread of this same process. */
export function takeOverDecodings(points: readonly HandedOverPoint[]): void {
  for (const p of points) {
    if (handedOver.has(p.hex)) continue;
    setBounded(handedOver, p.hex, Point.fromAffine({ x: p.x, y: p.y }), HANDED_OVER_LIMIT);
  }
}

/**
 * Encodes a point and remembers the decoding, so checking our own output costs nothing. With
 * noble's constant-time code: for provers, whose points derive from secrets.
 */
export function encodePoint(point: Point): Uint8Array {
  return encodeVia(point, (p) => p.toBytes());
}

/** Encodes a public point (a tally, a ballot's sums, a verification key) with the backend. */
export function encodePublicPoint(point: Point): Uint8Array {
  return encodeVia(point, publicArithmetic().encode);
}

function encodeVia(point: Point, encode: (p: Point) => Uint8Array): Uint8Array {
  // Encoding costs an inversion and a square root; the ledger encodes the same tally points
  // more than once per block (its stateHash, then the stored state), so remember it.
  const known = encodings.get(point);
  if (known !== undefined) return Uint8Array.from(known);
  const bytes = encode(point);
  remember(bytes, point);
  encodings.set(point, Uint8Array.from(bytes));
  return bytes;
}

/** Encodings per point object; points are immutable, so an entry never goes stale. */
const encodings = new WeakMap<Point, Uint8Array>();

/** A point that must not be the identity: public keys and commitments to secrets. */
export function decodeNonIdentityPoint(bytes: Uint8Array, field: string): Point {
  const point = decodePoint(bytes, field);
  if (point.is0()) {
    throw new SaylauError("election/bad_point", `${field}: the identity is not allowed here`, {
      field,
    });
  }
  return point;
}

/** s*P for public s; variable time is fine because every verification input is public. */
export function mulPublic(point: Point, scalar: bigint): Point {
  const s = mod(scalar);
  return s === 0n ? IDENTITY : point.multiplyUnsafe(s);
}

/**
 * sum scalars[i]*points[i] over public points and scalars (any integers; reduced mod L here),
 * with the backend: the one place verification multiplies.
 */
export function msmPublic(points: readonly Point[], scalars: readonly bigint[]): Point {
  return publicArithmetic().msm(points, scalars.map(mod));
}

/** s*P for secret s (nonces, key shares): noble's constant-time ladder. */
export function mulSecret(point: Point, scalar: bigint): Point {
  const s = mod(scalar);
  return s === 0n ? IDENTITY : point.multiply(s);
}

/** Small non-negative integer times G (vote values, counts, range branches). */
export function smallMultipleOfG(n: number): Point {
  return n === 0 ? IDENTITY : G.multiplyUnsafe(BigInt(n));
}
