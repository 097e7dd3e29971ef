/** Byte helpers shared by every module: hex at the edges, constant-size comparisons inside. */
import { SaylauError } from "../errors.ts";

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
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
  return new Uint8Array(Buffer.from(hex, "hex"));
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
