/**
 * Keeps docs/PROTOCOL.md §15 true: the alphabet, the scrypt parameters and every value of the
 * worked example (§15.5) must be what src/credential computes, with node:crypto's scrypt and
 * with noble's pure-JS one (what a browser runs), which must agree.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CODE_ALPHABET,
  newPrintedCode,
  parseCode,
  syndromes,
} from "../../../src/credential/code.ts";
import {
  kdfInput,
  keyPairFromCode,
  keyPairFromCodeAsync,
  SCRYPT_PARAMS,
  seedFromCode,
  seedFromCodePure,
} from "../../../src/credential/kdf.ts";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { isSaylauError } from "../../../src/errors.ts";

const doc = readFileSync(join(import.meta.dirname, "../../../docs/PROTOCOL.md"), "utf8");
const section = doc.slice(doc.indexOf("## 15. Voter credentials"));
const example = section.slice(section.indexOf("### 15.5 Worked example"));

/** The backquoted value on the example's line that starts with `- label`. */
function stated(label: string): string {
  const lines = example.split("\n").filter((l) => l.startsWith(`- ${label}`));
  if (lines.length !== 1) throw new Error(`§15.5 states "${label}" ${lines.length} times`);
  const values = [...lines[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return values[values.length - 1]!;
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (!isSaylauError(err)) throw err;
    return err.code;
  }
}

describe("docs/PROTOCOL.md §15", () => {
  it("states the alphabet and the scrypt parameters the code uses", () => {
    expect(section).toContain(`\`\`\`\n${CODE_ALPHABET}\n\`\`\``);
    expect(SCRYPT_PARAMS).toEqual({ N: 65536, r: 8, p: 1, dkLen: 32 });
    expect(section).toContain("N = 65536 (2^16), r = 8, p = 1, dkLen = 32");
    expect(section).toContain('S = utf8("saylau/v1/printed-credential") || electionId');
  });

  describe("worked example", () => {
    const label = utf8("saylau credential worked example");
    const electionId = sha256(label);
    const code = newPrintedCode(seededRng(label));

    it("the code, its symbols and its check symbols", () => {
      expect(stated("printed code")).toBe(code);
      expect(parseCode(stated("as typed by a voter"))).toBe(code.replace(/-/g, ""));
      const values = [...parseCode(code)].map((c) => CODE_ALPHABET.indexOf(c));
      expect(stated("data symbol values")).toBe(values.slice(0, 23).join(" "));
      const [a, b] = syndromes(values.slice(0, 23));
      const line = example.split("\n").find((l) => l.startsWith("- data-only syndromes"))!;
      expect(line).toBe(
        `- data-only syndromes: \`A = ${a}\`, \`B = ${b}\`; check symbols \`v23 = ${values[23]}\` (\`${code[27]}\`), \`v24 = ${values[24]}\` (\`${code[28]}\`)`,
      );
    });

    it("the scrypt input, seed and public key, in node:crypto and in pure JS", async () => {
      expect(stated("the example's electionId")).toBe(toHex(electionId));
      const input = kdfInput(code, electionId);
      expect(stated("scrypt password P")).toBe(toHex(input.password));
      expect(stated("scrypt salt S")).toBe(toHex(input.salt));
      const seed = seedFromCode(code, electionId);
      expect(stated("derived seed")).toBe(toHex(seed));
      expect(toHex(seedFromCodePure(code, electionId))).toBe(toHex(seed));
      const typed = stated("as typed by a voter");
      expect(stated("credential public key")).toBe(
        toHex(keyPairFromCode(typed, electionId).publicKey),
      );
      expect(toHex((await keyPairFromCodeAsync(code, electionId)).publicKey)).toBe(
        stated("credential public key"),
      );
    });

    it("the typos it shows are rejected with the codes it states", () => {
      for (const label of ["typed with the last two characters swapped", "typed with a `U`"]) {
        const line = example.split("\n").find((l) => l.startsWith(`- ${label}`))!;
        const [typed, errCode] = [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).slice(-2);
        expect(
          errorCode(() => seedFromCode(typed!, electionId)),
          label,
        ).toBe(errCode);
      }
    });
  });
});
