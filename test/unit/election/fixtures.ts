/** Small seeded elections shared by the election tests (each test file builds its own). */
import { afterAll, beforeAll, describe } from "vitest";
import { prepareElection, seededElection } from "../../../src/election/index.ts";
import {
  type ArithmeticName,
  publicArithmetic,
  useArithmetic,
} from "../../../src/election/public-arithmetic.ts";
import { seededRng } from "../../../src/election/rng.ts";

export const ELECTION_ID = new Uint8Array(32).fill(0x11);
export const OTHER_ELECTION_ID = new Uint8Array(32).fill(0x22);

export function credential(n: number): Uint8Array {
  const c = new Uint8Array(32);
  new DataView(c.buffer).setUint32(0, n + 1);
  c[31] = 0x5a;
  return c;
}

export function smallElection(seedByte = 1) {
  const election = seededElection({
    seed: new Uint8Array(32).fill(seedByte),
    contests: [
      { label: "mayor", options: ["ana", "bolat", "celik"], limit: 1 },
      { label: "council", options: ["d", "e", "f", "g"], limit: 2 },
    ],
    threshold: 2,
    trusteeCount: 3,
  });
  const ctx = prepareElection(election.description, ELECTION_ID);
  return { election, ctx };
}

export function rngFor(label: string) {
  const seed = new Uint8Array(32);
  seed.set(new TextEncoder().encode(label).subarray(0, 32));
  return seededRng(seed);
}

/** A copy of `bytes` with one bit flipped. */
export function flipBit(bytes: Uint8Array, bit = 0): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

/** Both verification backends; every tamper test runs under each (public-arithmetic.ts). */
export const ARITHMETICS: readonly ArithmeticName[] = ["wasm", "js"];
const DEFAULT_ARITHMETIC = publicArithmetic().name;

/** `describe(title, body)` once per backend, with that backend selected for its tests. */
export function describeEachArithmetic(title: string, body: () => void): void {
  describe.each(ARITHMETICS)(`${title} (%s arithmetic)`, (name) => {
    beforeAll(() => useArithmetic(name));
    afterAll(() => useArithmetic(DEFAULT_ARITHMETIC));
    body();
  });
}
