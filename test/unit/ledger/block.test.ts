import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Block, encodeBlock, encodedBlockSize } from "../../../src/ledger/block.ts";
import { MAX_TX_BYTES } from "../../../src/ledger/limits.ts";

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
// Lengths and counts around every CBOR head size boundary (23/24, 255/256, 65535/65536).
const txLength = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.constantFrom(23, 24, 255, 256, 65_535, 65_536, MAX_TX_BYTES),
);
const block: fc.Arbitrary<Block> = fc.record({
  header: fc.record({
    electionId: hash,
    height: fc.oneof(fc.nat(), fc.constantFrom(2 ** 32, Number.MAX_SAFE_INTEGER)),
    prevHash: hash,
    time: fc.oneof(fc.nat(), fc.constant(1_800_000_000_000)),
    proposer: fc.integer({ min: 0, max: 30 }),
    txCount: fc.nat(1000),
    logSize: fc.nat(),
    logRoot: hash,
    stateHash: hash,
  }),
  txs: fc.array(
    txLength.map((n) => new Uint8Array(n)),
    { maxLength: 30 },
  ),
});

describe("block size without encoding", () => {
  it("equals the length of the canonical encoding", () => {
    fc.assert(
      fc.property(block, (b) => {
        expect(encodedBlockSize(b)).toBe(encodeBlock(b).length);
      }),
      { numRuns: 200, seed: 20261130 },
    );
  });

  it("holds for a block of 300 transactions (an array head of 3 bytes)", () => {
    const b: Block = {
      header: {
        electionId: new Uint8Array(32),
        height: 1,
        prevHash: new Uint8Array(32),
        time: 0,
        proposer: 0,
        txCount: 300,
        logSize: 300,
        logRoot: new Uint8Array(32),
        stateHash: new Uint8Array(32),
      },
      txs: Array.from({ length: 300 }, (_, i) => new Uint8Array(i)),
    };
    expect(encodedBlockSize(b)).toBe(encodeBlock(b).length);
  });
});
