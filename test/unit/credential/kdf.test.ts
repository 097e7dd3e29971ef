/**
 * The printed credential's key derivation (docs/PROTOCOL.md §15.4) beyond the worked example:
 * a code gives unrelated keys in different elections, the sync, async and pure-JS paths agree,
 * and a malformed election id is a typed error. Voter-made keys come from the injected rng.
 */
import { describe, expect, it } from "vitest";
import { newPrintedCode } from "../../../src/credential/code.ts";
import {
  keyPairFromCode,
  seedFromCode,
  seedFromCodeAsync,
  seedFromCodePure,
} from "../../../src/credential/kdf.ts";
import { newVoterKey } from "../../../src/credential/voter-key.ts";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../../src/crypto/ed25519.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { isSaylauError } from "../../../src/errors.ts";

const code = newPrintedCode(seededRng(utf8("credential kdf test code")));
const electionA = new Uint8Array(32).fill(0xaa);
const electionB = Uint8Array.from(electionA, (b, i) => (i === 31 ? b ^ 1 : b));

describe("seedFromCode", () => {
  it("depends on the election id: one code, unrelated keys in two elections", () => {
    const a = keyPairFromCode(code, electionA);
    const b = keyPairFromCode(code, electionB);
    expect(toHex(a.publicKey)).not.toBe(toHex(b.publicKey));
    expect(toHex(a.seed)).not.toBe(toHex(b.seed));
  });

  it("node:crypto, its async form and noble's pure JS compute the same seed", async () => {
    const seed = toHex(seedFromCode(code, electionB));
    expect(toHex(await seedFromCodeAsync(code, electionB))).toBe(seed);
    expect(toHex(seedFromCodePure(code, electionB))).toBe(seed);
  });

  it("refuses an election id that is not 32 bytes", async () => {
    for (const id of [new Uint8Array(31), new Uint8Array(33), "aa" as unknown as Uint8Array]) {
      expect(() => seedFromCode(code, id)).toThrow(
        expect.objectContaining({ code: "credential/bad_election_id" }),
      );
    }
    await expect(seedFromCodeAsync("not a code", electionA)).rejects.toSatisfy((e) =>
      isSaylauError(e, "credential/bad_code"),
    );
  });
});

describe("newVoterKey", () => {
  it("is the ed25519 key of the rng's 32 bytes, and each call draws fresh ones", () => {
    const rng = seededRng(utf8("credential voter key test"));
    const expected = seededRng(utf8("credential voter key test"))(64);
    const first = newVoterKey(rng);
    const second = newVoterKey(rng);
    expect(toHex(first.seed)).toBe(toHex(expected.subarray(0, 32)));
    expect(toHex(first.publicKey)).toBe(toHex(keyPairFromSeed(expected.subarray(0, 32)).publicKey));
    expect(toHex(second.seed)).toBe(toHex(expected.subarray(32, 64)));
  });

  it("refuses an rng that returns the wrong number of bytes", () => {
    expect(() => newVoterKey(() => new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: "credential/bad_rng" }),
    );
  });
});
