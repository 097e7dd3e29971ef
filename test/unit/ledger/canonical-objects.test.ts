/**
 * Ledger objects have exactly one encoding: every single-byte change to a canonical
 * transaction or header is either rejected by the decoder or decodes to a different object
 * (which re-encodes to the changed bytes, so it has a different id or hash).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { decodeHeader, encodeHeader } from "../../../src/ledger/block.ts";
import { MemoryLedger } from "../../../src/ledger/memory-ledger.ts";
import { decodeTransaction, encodeTransaction } from "../../../src/ledger/transactions.ts";
import { ballotTx, decryptionTx, registerTx, revokeTx } from "../../../src/ledger/tx-builders.ts";
import { approvalTx, extensionTx, fixtureElection } from "../../support/election-fixture.ts";

const { setup, ctx } = fixtureElection();
const samples: [string, Uint8Array, (b: Uint8Array) => Uint8Array][] = (() => {
  const ledger = new MemoryLedger(ctx);
  const approve = approvalTx(setup);
  const reg = registerTx(
    setup.electionId,
    setup.registrars[0]!,
    0,
    setup.voters.slice(0, 2).map((v) => v.publicKey),
  );
  const block = ledger.propose([approve, reg], 1_780_000_100_000, 2).block;
  ledger.commit(block);
  const extend = extensionTx(setup, setup.manifest.schedule.closesAt + 1);
  const revoke = revokeTx(setup.electionId, setup.registrars[0]!, 0, [setup.voters[1]!.publicKey]);
  const ballot = ballotTx(
    ctx,
    setup.voters[0]!,
    0,
    [
      [0, 1, 0],
      [1, 0, 0, 1],
    ],
    7,
  );
  const decryption = decryptionTx(ctx, setup.trustees[0]!, 0, ledger.tip.state.districts[0]!.tally);
  const reencodeTx = (b: Uint8Array) => encodeTransaction(decodeTransaction(b));
  const reencodeHeader = (b: Uint8Array) => encodeHeader(decodeHeader(b));
  return [
    ["register tx", reg, reencodeTx],
    ["commission tx (approve)", approve, reencodeTx],
    ["commission tx (extend)", extend, reencodeTx],
    ["revoke tx", revoke, reencodeTx],
    ["ballot tx", ballot, reencodeTx],
    ["decryption tx", decryption, reencodeTx],
    ["block header", encodeHeader(block.header), reencodeHeader],
  ];
})();

describe("canonical ledger objects", () => {
  for (const [name, bytes, reencode] of samples) {
    it(`${name}: every single-byte mutation is rejected or is a different object`, () => {
      expect(toHex(reencode(bytes))).toBe(toHex(bytes));
      fc.assert(
        fc.property(
          fc.nat({ max: bytes.length - 1 }),
          fc.integer({ min: 1, max: 255 }),
          (at, delta) => {
            const mutated = Uint8Array.from(bytes);
            mutated[at] = (mutated[at]! + delta) & 0xff;
            let again: Uint8Array;
            try {
              again = reencode(mutated);
            } catch (err) {
              expect(isSaylauError(err)).toBe(true);
              return;
            }
            expect(toHex(again)).toBe(toHex(mutated));
          },
        ),
        { numRuns: 400, seed: 9162 },
      );
    });
  }
});
