/** The protocol limits agree with each other by construction; these hold them to the encoder. */
import { describe, expect, it } from "vitest";
import { generateKeyPair } from "../../../src/crypto/ed25519.ts";
import { MAX_CREDENTIALS_PER_REGISTER, MAX_TX_BYTES } from "../../../src/ledger/limits.ts";
import { decodeTransaction, encodeTransaction } from "../../../src/ledger/transactions.ts";
import { registerTx } from "../../../src/ledger/tx-builders.ts";

const electionId = new Uint8Array(32).fill(9);
const registrar = generateKeyPair();
const credentials = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const key = new Uint8Array(32).fill(0xab);
    new DataView(key.buffer).setUint32(0, i);
    return key;
  });

describe("MAX_CREDENTIALS_PER_REGISTER", () => {
  it("a register transaction with the most credentials fits in MAX_TX_BYTES and decodes", () => {
    const bytes = registerTx(electionId, registrar, 0, credentials(MAX_CREDENTIALS_PER_REGISTER));
    expect(bytes.length).toBeLessThanOrEqual(MAX_TX_BYTES);
    const tx = decodeTransaction(bytes);
    expect(tx.type === "register" && tx.credentials.length).toBe(MAX_CREDENTIALS_PER_REGISTER);
  });

  it("is the largest count that fits: one more credential would exceed MAX_TX_BYTES", () => {
    // Encoded without the codec's count bound, to measure what the next count would take.
    const fits = registerTx(electionId, registrar, 0, credentials(MAX_CREDENTIALS_PER_REGISTER));
    expect(fits.length + 34).toBeGreaterThan(MAX_TX_BYTES);
    expect(() =>
      encodeTransaction({
        ...decodeTransaction(fits),
        credentials: credentials(MAX_CREDENTIALS_PER_REGISTER + 1),
      } as never),
    ).toThrow();
  });
});
