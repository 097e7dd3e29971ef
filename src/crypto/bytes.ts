/** Byte helpers shared by every module: hex at the edges, constant-size comparisons inside. */
import { SaylauError } from "../errors.ts";

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

/** Node's Buffer converts hex fastest; a browser (the web app) has none and uses the loops. */
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
  }
  let out = "";
  for (const b of bytes) out += HEX_DIGITS[b]!;
  return out;
}

/** Lowercase hex only, even length: the one hex form the API accepts. */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (typeof hex !== "string" || !HEX_RE.test(hex)) {
    throw new SaylauError("codec/bad_hex", "expected lowercase hex with an even number of digits");
  }
  if (expectedLength !== undefined && hex.length !== expectedLength * 2) {
    throw new SaylauError(
      "codec/bad_hex",
      `expected ${expectedLength} bytes of hex, got ${hex.length / 2}`,
    );
  }
  if (NodeBuffer !== undefined) return new Uint8Array(NodeBuffer.from(hex, "hex"));
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Lexicographic order of byte strings (shorter prefix first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const UTF8 = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return UTF8.encode(text);
}
