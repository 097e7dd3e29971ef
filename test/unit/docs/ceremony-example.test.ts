/**
 * Keeps the key ceremony's examples in docs/ELECTION-CRYPTO.md ("Ceremony transcript", "Key
 * files") true: the bytes the document shows must be what scripts/ceremony-example.ts makes,
 * and they must verify, from the document's bytes alone, with the functions the CLI uses.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ceremonyExample,
  EXAMPLE_PARAMS,
  EXAMPLE_PASSPHRASE,
} from "../../../scripts/ceremony-example.ts";
import { openSecret } from "../../../src/cli/keystore.ts";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { decodeTrusteeSecret } from "../../../src/election/ceremony.ts";
import {
  transcriptHash,
  verifyCeremonyTranscript,
} from "../../../src/election/ceremony-transcript.ts";
import { isSaylauError } from "../../../src/errors.ts";

const doc = readFileSync(join(import.meta.dirname, "../../../docs/ELECTION-CRYPTO.md"), "utf8");

function block(name: string): Uint8Array {
  const matches = [
    ...doc.matchAll(new RegExp(`\`\`\`hex ${name}\\n([0-9a-f\\n]+?)\\n\`\`\``, "g")),
  ];
  if (matches.length !== 1)
    throw new Error(`ELECTION-CRYPTO.md has ${matches.length} blocks ${name}`);
  return fromHex(matches[0]![1]!.replace(/\n/g, ""));
}

const example = ceremonyExample();

describe("ELECTION-CRYPTO.md: the ceremony transcript example", () => {
  const bytes = block("ceremonyTranscript");

  it("is what scripts/ceremony-example.ts makes", () => {
    expect(toHex(bytes)).toBe(toHex(example.ceremonyTranscript));
  });

  it("verifies from the document's bytes, with the stated hash", () => {
    const v = verifyCeremonyTranscript(bytes);
    expect(v.parameters.threshold).toBe(EXAMPLE_PARAMS.threshold);
    expect(v.parameters.trusteeCount).toBe(EXAMPLE_PARAMS.trusteeCount);
    expect(toHex(v.parameters.ceremonyId)).toBe("ce".repeat(32));
    const stated = doc.match(/- transcript hash: `([0-9a-f]{64})`/)![1]!;
    expect(toHex(transcriptHash(bytes))).toBe(stated);
    expect(toHex(v.hash)).toBe(stated);
  });

  it("fails on any flipped bit of its signatures", () => {
    // The last byte of each 64-byte signature in the document's bytes.
    const hex = toHex(bytes);
    let at = hex.indexOf("697369676e61747572655840"); // "signature", bytes(64)
    let count = 0;
    while (at >= 0) {
      const end = at / 2 + 12 + 63;
      const bad = Uint8Array.from(bytes);
      bad[end]! ^= 1;
      let code = "";
      try {
        verifyCeremonyTranscript(bad);
      } catch (err) {
        code = isSaylauError(err) ? err.code : String(err);
      }
      expect(code).toBe("ceremony/bad_signature");
      count++;
      at = hex.indexOf("697369676e61747572655840", at + 2);
    }
    expect(count).toBe(6); // 2 announcements, 2 shares, 2 verdicts
  });
});

describe("ELECTION-CRYPTO.md: the key file example", () => {
  it("is what scripts/ceremony-example.ts makes", () => {
    expect(toHex(block("keyFileSecret"))).toBe(toHex(example.keyFileSecret));
    expect(toHex(block("keyFile"))).toBe(toHex(example.keyFile));
  });

  it("opens, from the document's bytes, with the stated passphrase to the stated secret", () => {
    const secret = openSecret("trustee-share", block("keyFile"), EXAMPLE_PASSPHRASE);
    expect(toHex(secret)).toBe(toHex(block("keyFileSecret")));
    expect(decodeTrusteeSecret(secret).index).toBe(1);
  });

  it("the passphrase and salt of the text are the example's", () => {
    expect(doc).toContain(`\`"${EXAMPLE_PASSPHRASE}"\`, salt 16 bytes \`5a\`, nonce 12`);
  });
});
