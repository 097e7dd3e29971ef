/**
 * The lattice hash against Solana's published vectors (test/vectors/lattice-hash), and its
 * multiset properties over seeded random element lists.
 */
import { readFileSync } from "node:fs";
import { blake3 } from "@noble/hashes/blake3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { TAG, taggedHash } from "../../../src/crypto/hash.ts";
import {
  LATTICE_HASH_BYTES,
  LATTICE_HASH_LANES,
  LatticeHash,
} from "../../../src/crypto/lattice-hash.ts";
import { isSaylauError } from "../../../src/errors.ts";

interface SolanaVectors {
  elements: { input: string; firstLanes: number[]; lastLane: number; blake3OfLanes: number[] }[];
  identityBlake3OfLanesBase58: string;
}
const vectors = JSON.parse(
  readFileSync(new URL("../../vectors/lattice-hash/solana.json", import.meta.url), "utf8"),
) as SolanaVectors;

const SEED = 0x17a5e;

function base58Decode(text: string): Uint8Array {
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let n = 0n;
  for (const c of text) n = n * 58n + BigInt(alphabet.indexOf(c));
  const out: number[] = [];
  while (n > 0n) {
    out.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return new Uint8Array(out);
}

describe("lattice hash: Solana's vectors", () => {
  for (const v of vectors.elements) {
    it(`hashes ${JSON.stringify(v.input)} to the crate's lanes`, () => {
      const h = LatticeHash.of(utf8(v.input));
      v.firstLanes.forEach((lane, i) => {
        expect(h.lane(i)).toBe(lane);
      });
      expect(h.lane(LATTICE_HASH_LANES - 1)).toBe(v.lastLane);
      // The crate's checksum is BLAKE3 of all 2048 little-endian bytes: every lane matches.
      expect(toHex(blake3(h.bytes()))).toBe(toHex(new Uint8Array(v.blake3OfLanes)));
      expect(LatticeHash.empty().add(utf8(v.input)).equals(h)).toBe(true);
    });
  }

  it("has the crate's identity", () => {
    expect(toHex(blake3(LatticeHash.empty().bytes()))).toBe(
      toHex(base58Decode(vectors.identityBlake3OfLanesBase58)),
    );
    expect(LatticeHash.empty().bytes()).toEqual(new Uint8Array(LATTICE_HASH_BYTES));
  });
});

describe("lattice hash: value and digest", () => {
  it("digest() is H(saylau/v1/credentials, the 2048 bytes)", () => {
    const h = LatticeHash.of(utf8("hello")).add(utf8("world!"));
    expect(TAG.credentials).toBe("saylau/v1/credentials");
    expect(toHex(h.digest())).toBe(toHex(taggedHash("saylau/v1/credentials", h.bytes())));
    expect(h.digest().length).toBe(32);
  });

  it("adds lane-wise with wraparound (hello + world!, lane 0: 0x8fea + 0x56dc = 0xe6c6)", () => {
    const h = LatticeHash.of(utf8("hello")).add(utf8("world!"));
    expect(h.lane(0)).toBe((0x8fea + 0x56dc) & 0xffff);
    expect(h.lane(3)).toBe((0x9282 + 0x810d) & 0xffff); // wraps past 0xffff
    const d = LatticeHash.of(utf8("hello")).remove(utf8("world!"));
    expect(d.lane(10)).toBe((0xb74e - 0x0024) & 0xffff);
    expect(d.lane(1)).toBe((0x3d16 - 0x1d98) & 0xffff);
    expect(LatticeHash.empty().remove(utf8("hello")).lane(0)).toBe(0x10000 - 0x8fea);
  });

  it("is immutable: add and remove leave the receiver unchanged", () => {
    const a = LatticeHash.of(utf8("a"));
    const before = a.bytes();
    a.add(utf8("b"));
    a.remove(utf8("a"));
    a.replace(utf8("a"), utf8("c"));
    a.plus(LatticeHash.of(utf8("d")));
    a.bytes()[0] = (before[0] as number) ^ 1; // bytes() is a copy
    expect(a.bytes()).toEqual(before);
  });

  it("round-trips through fromBytes and refuses any other length", () => {
    const h = LatticeHash.over([utf8("x"), utf8("y")]);
    expect(LatticeHash.fromBytes(h.bytes()).equals(h)).toBe(true);
    for (const n of [0, 32, LATTICE_HASH_BYTES - 1, LATTICE_HASH_BYTES + 1]) {
      let caught: unknown;
      try {
        LatticeHash.fromBytes(new Uint8Array(n));
      } catch (e) {
        caught = e;
      }
      expect(isSaylauError(caught, "crypto/bad_lattice_hash")).toBe(true);
    }
  });

  it("is a multiset: an element added twice counts twice", () => {
    const once = LatticeHash.of(utf8("e"));
    const twice = once.add(utf8("e"));
    expect(twice.equals(once)).toBe(false);
    expect(twice.remove(utf8("e")).equals(once)).toBe(true);
  });
});

describe("lattice hash: properties", () => {
  const element = fc.uint8Array({ minLength: 0, maxLength: 200 });
  const elements = fc.array(element, { minLength: 0, maxLength: 12 });

  it("is independent of order", () => {
    fc.assert(
      fc.property(
        elements.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        ([list, shuffled]) => {
          expect(LatticeHash.over(list).equals(LatticeHash.over(shuffled))).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("add then remove is the identity, and so is remove then add", () => {
    fc.assert(
      fc.property(elements, element, (list, e) => {
        const h = LatticeHash.over(list);
        expect(h.add(e).remove(e).equals(h)).toBe(true);
        expect(h.remove(e).add(e).equals(h)).toBe(true);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("replace(before, after) is remove(before).add(after)", () => {
    fc.assert(
      fc.property(elements, element, element, (list, before, after) => {
        const h = LatticeHash.over([...list, before]);
        expect(h.replace(before, after).equals(h.remove(before).add(after))).toBe(true);
        expect(h.replace(before, after).equals(LatticeHash.over([...list, after]))).toBe(true);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("plus is the union and minus undoes it", () => {
    fc.assert(
      fc.property(elements, elements, (a, b) => {
        const ha = LatticeHash.over(a);
        const hb = LatticeHash.over(b);
        expect(ha.plus(hb).equals(LatticeHash.over([...a, ...b]))).toBe(true);
        expect(ha.plus(hb).minus(hb).equals(ha)).toBe(true);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("tells different sets apart", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(element, { minLength: 2, maxLength: 6, selector: toHex }),
        (list) => {
          const h = LatticeHash.over(list);
          expect(h.equals(LatticeHash.over(list.slice(1)))).toBe(false);
          expect(toHex(h.digest())).not.toBe(toHex(LatticeHash.over(list.slice(1)).digest()));
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });
});
