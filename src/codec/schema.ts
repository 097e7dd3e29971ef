/**
 * Typed codecs over the canonical encoding. A codec checks a decoded CBOR value against an
 * exact shape (every field present, no unknown field, right types, bounded sizes) and names
 * the offending field in a typed error. The same codec guards encoding, so nothing malformed
 * is ever hashed, signed or stored.
 */
import { SaylauError } from "../errors.ts";
import {
  type CborValue,
  DEFAULT_MAX_ENCODED_BYTES,
  decodeCanonical,
  encodeCanonical,
} from "./cbor.ts";

export interface Codec<T> {
  /** What the field is, for error messages. */
  readonly kind: string;
  /** Returns the value typed as T or throws a `codec/invalid_field` error naming `path`. */
  check(value: unknown, path: string): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

export function fieldError(path: string, message: string): SaylauError {
  return new SaylauError("codec/invalid_field", `${path || "<root>"}: ${message}`, { field: path });
}

export function uint(max: number = Number.MAX_SAFE_INTEGER): Codec<number> {
  return {
    kind: "uint",
    check(value, path) {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
        throw fieldError(path, "expected an unsigned integer");
      }
      if (value > max) throw fieldError(path, `must be at most ${max}`);
      return value;
    },
  };
}

export function bytes(length: number): Codec<Uint8Array> {
  return {
    kind: `bytes[${length}]`,
    check(value, path) {
      if (!(value instanceof Uint8Array)) throw fieldError(path, "expected a byte string");
      if (value.length !== length)
        throw fieldError(path, `expected ${length} bytes, got ${value.length}`);
      return value;
    },
  };
}

export function bytesUpTo(max: number): Codec<Uint8Array> {
  return {
    kind: `bytes[..${max}]`,
    check(value, path) {
      if (!(value instanceof Uint8Array)) throw fieldError(path, "expected a byte string");
      if (value.length > max)
        throw fieldError(path, `at most ${max} bytes allowed, got ${value.length}`);
      return value;
    },
  };
}

export function text(maxLength: number, pattern?: RegExp): Codec<string> {
  return {
    kind: "text",
    check(value, path) {
      if (typeof value !== "string") throw fieldError(path, "expected a text string");
      if (value.length > maxLength)
        throw fieldError(path, `at most ${maxLength} characters allowed`);
      if (pattern !== undefined && !pattern.test(value))
        throw fieldError(path, `must match ${pattern}`);
      return value;
    },
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Codec<T> {
  const allowed = new Set<string>(values);
  return {
    kind: `one of ${values.join("|")}`,
    check(value, path) {
      if (typeof value !== "string" || !allowed.has(value)) {
        throw fieldError(path, `expected one of ${values.join(", ")}`);
      }
      return value as T;
    },
  };
}

export const bool: Codec<boolean> = {
  kind: "bool",
  check(value, path) {
    if (typeof value !== "boolean") throw fieldError(path, "expected true or false");
    return value;
  },
};

export function array<T>(item: Codec<T>, maxItems: number, minItems = 0): Codec<T[]> {
  return {
    kind: `array of ${item.kind}`,
    check(value, path) {
      if (!Array.isArray(value)) throw fieldError(path, "expected an array");
      if (value.length > maxItems) throw fieldError(path, `at most ${maxItems} items allowed`);
      if (value.length < minItems) throw fieldError(path, `at least ${minItems} items required`);
      return value.map((v, i) => item.check(v, `${path}[${i}]`));
    },
  };
}

export function nullable<T>(inner: Codec<T>): Codec<T | null> {
  return {
    kind: `${inner.kind} or null`,
    check(value, path) {
      return value === null ? null : inner.check(value, path);
    },
  };
}

type Shape = Record<string, Codec<unknown>>;
export type StructOf<S extends Shape> = { [K in keyof S]: Infer<S[K]> };

/** A map with exactly these text keys: none missing, none unknown. */
export function struct<S extends Shape>(shape: S): Codec<StructOf<S>> & { readonly shape: S } {
  const keys = Object.keys(shape);
  const keySet = new Set(keys);
  return {
    kind: "struct",
    shape,
    check(value, path) {
      if (
        typeof value !== "object" ||
        value === null ||
        Array.isArray(value) ||
        value instanceof Uint8Array
      ) {
        throw fieldError(path, "expected a map");
      }
      for (const k of Object.keys(value)) {
        if (!keySet.has(k)) throw fieldError(join(path, k), "unknown field");
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        if (!Object.hasOwn(value, k)) throw fieldError(join(path, k), "missing field");
        out[k] = shape[k]!.check((value as Record<string, unknown>)[k], join(path, k));
      }
      return out as StructOf<S>;
    },
  };
}

/**
 * A union of structs told apart by a text field (`type`): each variant's shape includes
 * that field, so the discriminator is encoded like any other field.
 */
export function tagged<
  const D extends string,
  V extends Record<string, Codec<Record<string, unknown>>>,
>(
  discriminator: D,
  variants: V,
): Codec<{ [K in keyof V]: Infer<V[K]> & { [P in D]: K } }[keyof V]> {
  const names = Object.keys(variants);
  return {
    kind: `one of ${names.join("|")}`,
    check(value, path) {
      if (
        typeof value !== "object" ||
        value === null ||
        Array.isArray(value) ||
        value instanceof Uint8Array
      ) {
        throw fieldError(path, "expected a map");
      }
      const tag = (value as Record<string, unknown>)[discriminator];
      if (typeof tag !== "string" || !Object.hasOwn(variants, tag)) {
        throw fieldError(join(path, discriminator), `expected one of ${names.join(", ")}`);
      }
      // biome-ignore lint/suspicious/noExplicitAny: variant result type is re-established by the signature
      return variants[tag]!.check(value, path) as any;
    },
  };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Validate against the codec, then encode canonically. */
export function encodeWith<T>(codec: Codec<T>, value: T): Uint8Array {
  codec.check(value, "");
  return encodeCanonical(value as CborValue);
}

/** Decode canonical bytes and check them against the codec. */
export function decodeWith<T>(
  codec: Codec<T>,
  bytes: Uint8Array,
  maxBytes: number = DEFAULT_MAX_ENCODED_BYTES,
): T {
  return codec.check(decodeCanonical(bytes, maxBytes), "");
}
