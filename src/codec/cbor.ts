/**
 * The one canonical byte encoding: deterministic CBOR (RFC 8949 §4.2.1 core deterministic
 * encoding as produced by cborg: shortest-form integers and lengths, definite lengths only,
 * map keys sorted length-first then bytewise). See docs/PROTOCOL.md.
 *
 * cborg's `strict` decoder already rejects non-minimal integers and lengths, duplicate map
 * keys and trailing bytes; it accepts unsorted keys and floats, so decodeCanonical also
 * refuses floats, tags, undefined and non-string map keys, and finally re-encodes the value
 * and requires the very same bytes. One value therefore has exactly one encoding.
 */
import { decode as cborDecode, encode as cborEncode } from "cborg";
import { bytesEqual } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";

/** The values the canonical encoding carries; no floats, no undefined, no maps with non-text keys. */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | readonly CborValue[]
  | { readonly [key: string]: CborValue };

/** Upper bound on any single canonical object Saylau accepts (a block is the largest). */
export const DEFAULT_MAX_ENCODED_BYTES = 16 * 1024 * 1024;
const MAX_NESTING = 64;

export function encodeCanonical(value: CborValue): Uint8Array {
  assertEncodable(value, "", 0);
  return cborEncode(value);
}

export function decodeCanonical(
  bytes: Uint8Array,
  maxBytes: number = DEFAULT_MAX_ENCODED_BYTES,
): CborValue {
  if (!(bytes instanceof Uint8Array)) {
    throw new SaylauError("codec/not_bytes", "canonical decode needs a byte array");
  }
  if (bytes.length > maxBytes) {
    throw new SaylauError(
      "codec/too_large",
      `encoded object is ${bytes.length} bytes, limit ${maxBytes}`,
      {
        size: bytes.length,
        limit: maxBytes,
      },
    );
  }
  let value: unknown;
  try {
    value = cborDecode(bytes, {
      strict: true,
      allowIndefinite: false,
      allowUndefined: false,
      allowInfinity: false,
      allowNaN: false,
      allowBigInt: true,
      rejectDuplicateMapKeys: true,
      useMaps: false,
      tags: [],
    });
  } catch (err) {
    throw new SaylauError("codec/malformed", `not canonical CBOR: ${(err as Error).message}`);
  }
  assertEncodable(value, "", 0);
  const again = cborEncode(value as CborValue);
  if (!bytesEqual(again, bytes)) {
    throw new SaylauError(
      "codec/non_canonical",
      "CBOR is not in canonical form (unsorted map keys, float, or other non-deterministic encoding)",
    );
  }
  return value as CborValue;
}

function assertEncodable(value: unknown, path: string, depth: number): void {
  if (depth > MAX_NESTING) {
    throw new SaylauError(
      "codec/too_deep",
      `nesting deeper than ${MAX_NESTING} at ${path || "<root>"}`,
    );
  }
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
      return;
    case "number":
      if (!Number.isSafeInteger(value)) {
        throw new SaylauError(
          "codec/float",
          `non-integer or unsafe number at ${path || "<root>"}`,
          {
            field: path,
          },
        );
      }
      return;
    case "object": {
      if (value === null || value instanceof Uint8Array) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++)
          assertEncodable(value[i], `${path}[${i}]`, depth + 1);
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new SaylauError("codec/unsupported", `unsupported value at ${path || "<root>"}`, {
          field: path,
        });
      }
      for (const [k, v] of Object.entries(value)) {
        assertEncodable(v, path ? `${path}.${k}` : k, depth + 1);
      }
      return;
    }
    default:
      throw new SaylauError(
        "codec/unsupported",
        `unsupported ${typeof value} at ${path || "<root>"}`,
        {
          field: path,
        },
      );
  }
}
