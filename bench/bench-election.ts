/**
 * The election both crypto benchmarks measure (bench/election.ts, bench/wasm.ts): one 1-of-5
 * contest, 3-of-5 trustees, seeded so every run encrypts the same ballots.
 */
import { prepareElection, seededElection, seededRng } from "../src/election/index.ts";

export function benchElection() {
  const election = seededElection({
    seed: new Uint8Array(32).fill(1),
    contests: [{ label: "mayor", options: ["a", "b", "c", "d", "e"], limit: 1 }],
    threshold: 3,
    trusteeCount: 5,
  });
  const ctx = prepareElection(election.description, new Uint8Array(32).fill(2));
  const rng = seededRng(new Uint8Array(32).fill(3));
  return { election, ctx, rng };
}

/** A distinct 32-byte stand-in credential for ballot i. */
export function credentialOf(i: number): Uint8Array {
  const c = new Uint8Array(32);
  new DataView(c.buffer).setUint32(0, i);
  return c;
}
