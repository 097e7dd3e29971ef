/**
 * Printed credential codes (docs/PROTOCOL.md §15.1-15.3): the GF(32) arithmetic, the
 * normalisation, and that every typo of every kind is caught with a typed error before any
 * key derivation: each of the 775 single-symbol substitutions and every swap of two different
 * symbols in a fixed code, and as fast-check properties over random codes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CODE_ALPHABET,
  CODE_ENTROPY_BITS,
  CODE_SYMBOLS,
  checkSymbols,
  encodeCode,
  formatCode,
  newPrintedCode,
  parseCode,
  syndromes,
} from "../../../src/credential/code.ts";
import { ALPHA, gfInv, gfMul, gfPow } from "../../../src/credential/gf32.ts";
import { kdfInput } from "../../../src/credential/kdf.ts";
import { utf8 } from "../../../src/crypto/bytes.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { isSaylauError } from "../../../src/errors.ts";

const EXAMPLE = "KZ726-YZW3N-C19VC-FFKAA-MACWY";
const CANONICAL = EXAMPLE.replace(/-/g, "");
const ELECTION = new Uint8Array(32).fill(7);

function errorCode(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (!isSaylauError(err)) throw err;
    return err.code;
  }
}

const withSymbol = (canonical: string, i: number, ch: string) =>
  canonical.slice(0, i) + ch + canonical.slice(i + 1);
const swapped = (canonical: string, i: number, j: number) => {
  const chars = [...canonical];
  [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  return chars.join("");
};

describe("GF(32) = GF(2)[x] / (x^5 + x^2 + 1)", () => {
  it("alpha has order 31, and every nonzero element an inverse", () => {
    const powers = new Set(Array.from({ length: 31 }, (_, e) => gfPow(e)));
    expect(powers.size).toBe(31);
    expect(powers.has(0)).toBe(false);
    expect(gfPow(31)).toBe(1);
    for (let a = 1; a < 32; a++) expect(gfMul(a, gfInv(a))).toBe(1);
    expect(ALPHA ^ gfMul(ALPHA, ALPHA)).toBe(6);
    expect(gfInv(6)).toBe(14); // stated in §15.2
    expect(gfMul(0b10000, ALPHA)).toBe(0b00101); // x^5 = x^2 + 1
  });
});

describe("code format", () => {
  it("25 symbols, 115 bits of entropy, five groups of five", () => {
    expect(CODE_SYMBOLS).toBe(25);
    expect(CODE_ENTROPY_BITS).toBe(115);
    expect(CODE_ALPHABET).toBe("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    expect(EXAMPLE).toMatch(/^([0-9A-HJKMNP-TV-Z]{5}-){4}[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(formatCode(CANONICAL)).toBe(EXAMPLE);
  });

  it("a fresh code takes the low 5 bits of one rng byte per data symbol", () => {
    const code = newPrintedCode(seededRng(utf8("saylau credential worked example")));
    expect(code).toBe(EXAMPLE);
    const bytes = seededRng(utf8("saylau credential worked example"))(23);
    expect(encodeCode(Array.from(bytes, (b) => b & 31))).toBe(EXAMPLE);
    expect(errorCode(() => newPrintedCode(() => new Uint8Array(22)))).toBe("credential/bad_rng");
  });

  it("check symbols zero both syndromes, and data outside 0..31 is refused", () => {
    const values = [...CANONICAL].map((c) => CODE_ALPHABET.indexOf(c));
    expect(syndromes(values)).toEqual([0, 0]);
    expect(checkSymbols(values.slice(0, 23))).toEqual([28, 30]);
    expect(errorCode(() => checkSymbols([...values.slice(0, 22), 32]))).toBe("credential/bad_code");
    expect(errorCode(() => checkSymbols(values.slice(0, 22)))).toBe("credential/bad_code");
  });
});

describe("normalisation", () => {
  it("ignores case, spaces, tabs, line breaks and dashes of every kind", () => {
    for (const typed of [
      EXAMPLE,
      CANONICAL,
      EXAMPLE.toLowerCase(),
      "kz726 yzw3n c19vc ffkaa macwy",
      "  KZ726\tYZW3N\nC19VC\r\nFFKAA MACWY  ",
      "KZ726\u2013YZW3N\u2014C19VC\u2010FFKAA\u2212MACWY",
      "KZ726\u2011YZW3N\u2012C19VC\u00a0FFKAA--MACWY",
      "K-Z-7-2-6-Y-Z-W-3-N-C-1-9-V-C-F-F-K-A-A-M-A-C-W-Y",
    ]) {
      expect(parseCode(typed), JSON.stringify(typed)).toBe(CANONICAL);
    }
  });

  it("reads O as 0 and I or L (either case) as 1", () => {
    const code = encodeCode([0, 1, ...Array.from({ length: 21 }, (_, i) => (i * 7) % 32)]);
    expect(code.slice(0, 2)).toBe("01");
    for (const [zero, one] of [
      ["O", "I"],
      ["o", "i"],
      ["O", "L"],
      ["o", "l"],
    ]) {
      expect(parseCode(zero! + one! + code.slice(2))).toBe(code.replace(/-/g, ""));
    }
  });
});

describe("typos are caught before any key derivation", () => {
  it("every single-symbol substitution at every position: credential/typo", () => {
    let checked = 0;
    for (let i = 0; i < CODE_SYMBOLS; i++) {
      for (const ch of CODE_ALPHABET) {
        if (ch === CANONICAL[i]) continue;
        const typed = withSymbol(CANONICAL, i, ch);
        expect(
          errorCode(() => parseCode(typed)),
          typed,
        ).toBe("credential/typo");
        expect(
          errorCode(() => kdfInput(typed, ELECTION)),
          typed,
        ).toBe("credential/typo");
        checked++;
      }
    }
    expect(checked).toBe(25 * 31);
  });

  it("every swap of two different symbols, adjacent or not: credential/typo", () => {
    let checked = 0;
    for (let i = 0; i < CODE_SYMBOLS; i++) {
      for (let j = i + 1; j < CODE_SYMBOLS; j++) {
        if (CANONICAL[i] === CANONICAL[j]) continue;
        const typed = swapped(CANONICAL, i, j);
        expect(
          errorCode(() => parseCode(typed)),
          typed,
        ).toBe("credential/typo");
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(250);
  });

  it("a symbol missing, doubled, or not in the alphabet: credential/bad_code", () => {
    const cases = [
      CANONICAL.slice(1), // dropped
      CANONICAL.slice(0, 10) + CANONICAL.slice(11), // dropped in the middle
      `${CANONICAL.slice(0, 10)}${CANONICAL[10]}${CANONICAL.slice(10)}`, // doubled
      `${CANONICAL}Y`, // one extra
      withSymbol(CANONICAL, 24, "U"), // U is not used
      withSymbol(CANONICAL, 3, "*"),
      withSymbol(CANONICAL, 0, "\u041a"), // Cyrillic Ka, not K
      withSymbol(CANONICAL, 12, "_"),
      "",
      "   ",
      `${EXAMPLE} ${EXAMPLE}`,
    ];
    for (const typed of cases) {
      expect(
        errorCode(() => parseCode(typed)),
        JSON.stringify(typed),
      ).toBe("credential/bad_code");
      expect(errorCode(() => kdfInput(typed, ELECTION))).toBe("credential/bad_code");
    }
    expect(errorCode(() => parseCode(123 as unknown as string))).toBe("credential/bad_code");
  });
});

describe("properties over random codes", () => {
  const data = fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 23, maxLength: 23 });
  const params = { numRuns: 300, seed: 20261201 };

  it("encode then parse gives the canonical code, however it is typed", () => {
    fc.assert(
      fc.property(
        data,
        fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
        fc.array(fc.constantFrom("", " ", "-", "\u2013", "  "), { minLength: 25, maxLength: 25 }),
        (d, lower, seps) => {
          const canonical = encodeCode(d).replace(/-/g, "");
          const typed = [...canonical]
            .map((ch, i) => {
              let c = ch === "0" && lower[i] ? "O" : ch === "1" && lower[i] ? "l" : ch;
              if (lower[i]) c = c.toLowerCase();
              return c + seps[i];
            })
            .join("");
          expect(parseCode(typed)).toBe(canonical);
          expect(parseCode(encodeCode(d))).toBe(canonical);
        },
      ),
      params,
    );
  });

  it("any single-character change is detected", () => {
    fc.assert(
      fc.property(
        data,
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 1, max: 31 }),
        (d, i, delta) => {
          const canonical = encodeCode(d).replace(/-/g, "");
          const old = CODE_ALPHABET.indexOf(canonical[i]!);
          const typed = withSymbol(canonical, i, CODE_ALPHABET[(old + delta) % 32]!);
          expect(errorCode(() => parseCode(typed))).toBe("credential/typo");
        },
      ),
      params,
    );
  });

  it("any two-character change, swaps included, is detected", () => {
    fc.assert(
      fc.property(
        data,
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 1, max: 31 }),
        (d, i, offset, delta1, delta2) => {
          const canonical = encodeCode(d).replace(/-/g, "");
          const j = (i + offset) % 25;
          const at = (k: number) => CODE_ALPHABET.indexOf(canonical[k]!);
          let typed = withSymbol(canonical, i, CODE_ALPHABET[(at(i) + delta1) % 32]!);
          typed = withSymbol(typed, j, CODE_ALPHABET[(at(j) + delta2) % 32]!);
          expect(errorCode(() => parseCode(typed))).toBe("credential/typo");
          if (canonical[i] !== canonical[j]) {
            expect(errorCode(() => parseCode(swapped(canonical, i, j)))).toBe("credential/typo");
          }
        },
      ),
      params,
    );
  });
});
