import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as withBuffer from "../../../src/crypto/bytes.ts";

/** bytes.ts loaded again where there is no Buffer, as in the browser build. */
async function loadWithoutBuffer(): Promise<typeof withBuffer> {
  const g = globalThis as { Buffer?: unknown };
  const saved = g.Buffer;
  delete g.Buffer;
  try {
    // A query string makes the module load afresh, capturing the missing Buffer.
    const fresh = "../../../src/crypto/bytes.ts?no-buffer";
    return (await import(/* @vite-ignore */ fresh)) as typeof withBuffer;
  } finally {
    g.Buffer = saved;
  }
}

describe("hex without Node's Buffer (the web app)", () => {
  it("gives the same hex both ways, and the same errors", async () => {
    const browser = await loadWithoutBuffer();
    expect(browser.toHex).not.toBe(withBuffer.toHex);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const hex = withBuffer.toHex(bytes);
        expect(browser.toHex(bytes)).toBe(hex);
        expect(browser.fromHex(hex)).toEqual(withBuffer.fromHex(hex));
      }),
      { seed: 7, numRuns: 200 },
    );
    expect(() => browser.fromHex("ABCD")).toThrow(/lowercase hex/);
    expect(() => browser.fromHex("abc")).toThrow(/lowercase hex/);
    expect(() => browser.fromHex("abcd", 3)).toThrow(/3 bytes/);
    const sub = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    expect(browser.toHex(sub)).toBe("0203");
  });
});
