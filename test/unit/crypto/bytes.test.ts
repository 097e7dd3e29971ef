import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as Bytes from "../../../src/crypto/bytes.ts";

/** Hex the long way, with nothing from Node. */
const plainHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

describe("hex without Node's Buffer (the web app)", () => {
  it("gives the same hex and the same errors where there is no Buffer", async () => {
    const g = globalThis as { Buffer?: unknown };
    const saved = g.Buffer;
    delete g.Buffer;
    try {
      // A query string loads the module afresh, in a world without Buffer, as a browser.
      const fresh = "../../../src/crypto/bytes.ts?no-buffer";
      const browser = (await import(/* @vite-ignore */ fresh)) as typeof Bytes;
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          const hex = plainHex(bytes);
          expect(browser.toHex(bytes)).toBe(hex);
          expect(browser.fromHex(hex)).toEqual(bytes);
        }),
        { seed: 7, numRuns: 200 },
      );
      expect(() => browser.fromHex("ABCD")).toThrow(/lowercase hex/);
      expect(() => browser.fromHex("abc")).toThrow(/lowercase hex/);
      expect(() => browser.fromHex("abcd", 3)).toThrow(/3 bytes/);
      expect(browser.toHex(new Uint8Array([1, 2, 3, 4]).subarray(1, 3))).toBe("0203");
    } finally {
      g.Buffer = saved;
    }
  });
});
