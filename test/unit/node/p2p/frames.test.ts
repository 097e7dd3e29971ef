import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSaylauError } from "../../../../src/errors.ts";
import { encodeFrame, FrameDecoder } from "../../../../src/node/p2p/frames.ts";

describe("length-prefixed frames", () => {
  it("reassembles frames however the byte stream is cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
          const decoder = new FrameDecoder(1000);
          const out: Uint8Array[] = [];
          let offset = 0;
          let i = 0;
          while (offset < stream.length) {
            const n = cuts[i++ % cuts.length]!;
            out.push(...decoder.push(stream.subarray(offset, offset + n)));
            offset += n;
          }
          expect(out.map((f) => Buffer.from(f).toString("hex"))).toEqual(
            payloads.map((p) => Buffer.from(p).toString("hex")),
          );
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 200, seed: 4 },
    );
  });

  it("refuses an oversized frame as soon as its length is read", () => {
    const decoder = new FrameDecoder(16);
    const header = new Uint8Array([0, 0, 0, 17]);
    try {
      decoder.push(header);
      expect.unreachable();
    } catch (err) {
      expect(isSaylauError(err, "p2p/frame_too_large")).toBe(true);
    }
  });
});
