/**
 * LtHash (Bellare–Micciancio's lattice-based homomorphic multiset hash, as in
 * https://eprint.iacr.org/2019/227 and Solana's accounts lattice hash, SIMD-0215): a set of
 * byte strings hashes to 1024 lanes of u16, the lane-wise wrapping sum of each element's
 * hash. Adding and removing an element are one element hash and 1024 additions, whatever the
 * set's size, so the ledger can keep a digest over every credential record up to date per
 * write (remove the old record, add the new one) instead of rehashing millions of records.
 *
 * An element's hash is BLAKE3 in XOF mode (unkeyed, no context) of the element's bytes,
 * read to 2048 bytes and taken as 1024 little-endian u16 lanes; exactly Solana's
 * `LtHash::with`. The 32-byte `digest()` is `H("saylau/v1/credentials", lanes as 2048
 * little-endian bytes)` (PROTOCOL.md, "Credential digest"), so it is a tagged SHA-256 like
 * every other hash Saylau puts in a state, not Solana's BLAKE3 checksum.
 *
 * Values are immutable: add, remove, plus and minus return a new value (a 2 KiB copy,
 * small next to the BLAKE3 of the element). Pure and browser-safe: @noble/hashes only.
 */
import { blake3 } from "@noble/hashes/blake3.js";
import { SaylauError } from "../errors.ts";
import { TAG, taggedHash } from "./hash.ts";

export const LATTICE_HASH_LANES = 1024;
export const LATTICE_HASH_BYTES = 2 * LATTICE_HASH_LANES;

// Lanes are kept in a Uint16Array, which uses the platform's byte order; the format is
// little-endian, so on a big-endian platform bytes are swapped on the way in and out.
const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function lanesFromLittleEndian(bytes: Uint8Array): Uint16Array {
  const copy = bytes.slice();
  const lanes = new Uint16Array(copy.buffer, copy.byteOffset, LATTICE_HASH_LANES);
  if (!PLATFORM_LITTLE_ENDIAN) swapBytes(lanes);
  return lanes;
}

function swapBytes(lanes: Uint16Array): void {
  for (let i = 0; i < lanes.length; i++) {
    const v = lanes[i] as number;
    lanes[i] = ((v & 0xff) << 8) | (v >>> 8);
  }
}

/** The element's hash: BLAKE3-XOF(element) to 2048 bytes, as 1024 little-endian u16 lanes. */
function elementLanes(element: Uint8Array): Uint16Array {
  return lanesFromLittleEndian(blake3(element, { dkLen: LATTICE_HASH_BYTES }));
}

export class LatticeHash {
  readonly #lanes: Uint16Array;

  private constructor(lanes: Uint16Array) {
    this.#lanes = lanes;
  }

  /** The hash of the empty multiset: every lane 0. */
  static empty(): LatticeHash {
    return new LatticeHash(new Uint16Array(LATTICE_HASH_LANES));
  }

  /** The hash of the multiset holding just `element`. */
  static of(element: Uint8Array): LatticeHash {
    return new LatticeHash(elementLanes(element));
  }

  /** The hash of a multiset given as a list (order does not matter; repeats count). */
  static over(elements: Iterable<Uint8Array>): LatticeHash {
    const lanes = new Uint16Array(LATTICE_HASH_LANES);
    for (const element of elements) addInto(lanes, elementLanes(element));
    return new LatticeHash(lanes);
  }

  /** Reads the 2048-byte form that `bytes()` gives. */
  static fromBytes(bytes: Uint8Array): LatticeHash {
    if (bytes.length !== LATTICE_HASH_BYTES) {
      throw new SaylauError(
        "crypto/bad_lattice_hash",
        `a lattice hash is ${LATTICE_HASH_BYTES} bytes, got ${bytes.length}`,
      );
    }
    return new LatticeHash(lanesFromLittleEndian(bytes));
  }

  /** This multiset with `element` added once. */
  add(element: Uint8Array): LatticeHash {
    const lanes = this.#lanes.slice();
    addInto(lanes, elementLanes(element));
    return new LatticeHash(lanes);
  }

  /**
   * This multiset with `element` removed once. Removing what was never added is not
   * detected (the lanes just wrap): the caller removes only the record it is replacing.
   */
  remove(element: Uint8Array): LatticeHash {
    const lanes = this.#lanes.slice();
    subtractFrom(lanes, elementLanes(element));
    return new LatticeHash(lanes);
  }

  /** One record replaced by another: `remove(before).add(after)` with one copy. */
  replace(before: Uint8Array, after: Uint8Array): LatticeHash {
    const lanes = this.#lanes.slice();
    subtractFrom(lanes, elementLanes(before));
    addInto(lanes, elementLanes(after));
    return new LatticeHash(lanes);
  }

  /** The union of two multisets (lane-wise sum). */
  plus(other: LatticeHash): LatticeHash {
    const lanes = this.#lanes.slice();
    addInto(lanes, other.#lanes);
    return new LatticeHash(lanes);
  }

  /** This multiset without the elements of `other` (lane-wise difference). */
  minus(other: LatticeHash): LatticeHash {
    const lanes = this.#lanes.slice();
    subtractFrom(lanes, other.#lanes);
    return new LatticeHash(lanes);
  }

  equals(other: LatticeHash): boolean {
    const a = this.#lanes;
    const b = other.#lanes;
    for (let i = 0; i < LATTICE_HASH_LANES; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Lane i, 0..1023 (for tests and vectors). */
  lane(i: number): number {
    const v = this.#lanes[i];
    if (v === undefined) throw new RangeError(`lane ${i} is outside 0..${LATTICE_HASH_LANES - 1}`);
    return v;
  }

  /** The 1024 lanes as 2048 little-endian bytes (a fresh copy). */
  bytes(): Uint8Array {
    const lanes = this.#lanes.slice();
    if (!PLATFORM_LITTLE_ENDIAN) swapBytes(lanes);
    return new Uint8Array(lanes.buffer);
  }

  /** The 32-byte digest: H("saylau/v1/credentials", bytes()). */
  digest(): Uint8Array {
    return taggedHash(TAG.credentials, this.bytes());
  }
}

function addInto(target: Uint16Array, other: Uint16Array): void {
  // Uint16Array stores modulo 2^16: the assignment is the wrapping add.
  for (let i = 0; i < LATTICE_HASH_LANES; i++) {
    target[i] = (target[i] as number) + (other[i] as number);
  }
}

function subtractFrom(target: Uint16Array, other: Uint16Array): void {
  for (let i = 0; i < LATTICE_HASH_LANES; i++) {
    target[i] = (target[i] as number) - (other[i] as number);
  }
}
