import { describe, expect, it } from "vitest";
import { toHex } from "../../../src/crypto/bytes.ts";
import { generateKeyPair } from "../../../src/crypto/ed25519.ts";
import { decodeTransaction, txId } from "../../../src/ledger/transactions.ts";
import { registerTx } from "../../../src/ledger/tx-builders.ts";
import { DecodedTransactions } from "../../../src/node/decoded-transactions.ts";
import { fixtureElection } from "../../support/election-fixture.ts";

const { setup } = fixtureElection();
const register = () =>
  registerTx(setup.electionId, setup.registrars[0]!, 0, [generateKeyPair().publicKey]);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe("decoded transactions kept from admission to commit", () => {
  it("returns what decodeTransaction returns, once decoded, for any copy of the bytes", () => {
    const cache = new DecodedTransactions();
    const bytes = register();
    const first = cache.decodeWithId(bytes);
    expect(first.tx).toEqual(decodeTransaction(bytes));
    expect(first.id).toBe(toHex(txId(bytes)));
    expect(cache.decode(Uint8Array.from(bytes))).toBe(first.tx);
  });

  it("does not alias the bytes it was given", () => {
    const cache = new DecodedTransactions();
    const bytes = register();
    const sig = Uint8Array.from((decodeTransaction(bytes) as { sig: Uint8Array }).sig);
    const { tx } = cache.decodeWithId(bytes);
    bytes.fill(0);
    expect((tx as { sig: Uint8Array }).sig).toEqual(sig);
  });

  it("throws what decodeTransaction throws and keeps nothing for bad bytes", () => {
    const cache = new DecodedTransactions();
    const bad = Uint8Array.of(0xa1, 0x61, 0x78, 0x01);
    expect(codeOf(() => cache.decode(bad))).toBe(codeOf(() => decodeTransaction(bad)));
    expect(codeOf(() => cache.decode(bad))).toBeDefined();
    expect(cache.size).toBe(0);
  });

  it("is bounded, oldest out first, and forgets committed ids", () => {
    const cache = new DecodedTransactions(3);
    const txs = Array.from({ length: 4 }, register);
    const ids = txs.map((t) => cache.decodeWithId(t).id);
    expect(cache.size).toBe(3);
    const again = cache.decodeWithId(txs[3]!);
    expect(again.tx).toBe(cache.decode(txs[3]!));
    cache.forget([ids[2]!, ids[3]!]);
    expect(cache.size).toBe(1);
  });
});
