/**
 * Length-prefixed frames on a byte stream: a 4-byte big-endian length, then that many
 * bytes. The decoder refuses a frame longer than its limit as soon as it reads the length,
 * before buffering anything, so a hostile peer cannot make a node allocate without bound.
 */
import { SaylauError } from "../../errors.ts";

export const FRAME_HEADER_BYTES = 4;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Feed received bytes; returns every frame now complete. Throws `p2p/frame_too_large`. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.#buffered < FRAME_HEADER_BYTES) break;
      const header = this.#peek(FRAME_HEADER_BYTES);
      const length = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
      if (length > this.#maxFrameBytes) {
        throw new SaylauError(
          "p2p/frame_too_large",
          `peer sent a ${length}-byte frame, limit ${this.#maxFrameBytes}`,
          {
            length,
            limit: this.#maxFrameBytes,
          },
        );
      }
      if (this.#buffered < FRAME_HEADER_BYTES + length) break;
      this.#take(FRAME_HEADER_BYTES);
      frames.push(this.#take(length));
    }
    return frames;
  }

  get bufferedBytes(): number {
    return this.#buffered;
  }

  #peek(n: number): Uint8Array {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let offset = 0;
    for (const c of this.#chunks) {
      const part = c.subarray(0, n - offset);
      out.set(part, offset);
      offset += part.length;
      if (offset === n) break;
    }
    return out;
  }

  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let offset = 0;
    while (offset < n) {
      const c = this.#chunks[0]!;
      const part = c.subarray(0, n - offset);
      out.set(part, offset);
      offset += part.length;
      if (part.length === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(part.length);
    }
    this.#buffered -= n;
    return out;
  }
}
