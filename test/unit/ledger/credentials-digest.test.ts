/**
 * The credential digest's element (key || encoded record) and its incremental update: any
 * sequence of writes leaves the same lattice hash as hashing the final records afresh.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, toHex } from "../../../src/crypto/bytes.ts";
import { LatticeHash } from "../../../src/crypto/lattice-hash.ts";
import { isSaylauError } from "../../../src/errors.ts";
import {
  credentialElement,
  credentialsLatticeHash,
  updateCredentialsLatticeHash,
} from "../../../src/ledger/credentials-digest.ts";
import { encodeCredentialRecord, newCredentialRecord } from "../../../src/ledger/state.ts";

const SEED = 0xc3ed;

describe("credential digest", () => {
  it("hashes key(32) || encoded record", () => {
    const key = new Uint8Array(32).fill(7);
    const record = encodeCredentialRecord(newCredentialRecord(0));
    expect(toHex(credentialElement(key, record))).toBe(toHex(concatBytes(key, record)));
    const h = credentialsLatticeHash([{ credential: key, record }]);
    expect(h.equals(LatticeHash.of(concatBytes(key, record)))).toBe(true);
  });

  it("refuses a key that is not 32 bytes", () => {
    for (const n of [0, 31, 33]) {
      let caught: unknown;
      try {
        credentialElement(new Uint8Array(n), new Uint8Array(1));
      } catch (e) {
        caught = e;
      }
      expect(isSaylauError(caught, "ledger/bad_credential_key")).toBe(true);
    }
  });

  it("updated per write equals the hash of the final records", () => {
    const write = fc.record({
      key: fc.integer({ min: 0, max: 7 }),
      record: fc.uint8Array({ minLength: 1, maxLength: 80 }),
    });
    fc.assert(
      fc.property(fc.array(write, { maxLength: 30 }), (writes) => {
        const stored = new Map<number, Uint8Array>();
        let h = LatticeHash.empty();
        const keyOf = (k: number): Uint8Array => new Uint8Array(32).fill(k + 1);
        for (const w of writes) {
          h = updateCredentialsLatticeHash(h, keyOf(w.key), stored.get(w.key), w.record);
          stored.set(w.key, w.record);
        }
        const fresh = credentialsLatticeHash(
          [...stored].map(([k, record]) => ({ credential: keyOf(k), record })),
        );
        expect(toHex(h.digest())).toBe(toHex(fresh.digest()));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
