import { describe, expect, it } from "vitest";
import { encodeCanonical } from "../../../src/codec/cbor.ts";
import {
  array,
  bytes,
  bytesUpTo,
  decodeWith,
  encodeWith,
  nullable,
  oneOf,
  struct,
  tagged,
  text,
  uint,
} from "../../../src/codec/schema.ts";
import { SaylauError } from "../../../src/errors.ts";

const Inner = struct({ id: bytes(4), n: uint(10) });
const Outer = struct({
  name: text(8),
  items: array(Inner, 3),
  blob: bytesUpTo(5),
  note: nullable(text(4)),
  kind: oneOf(["a", "b"]),
});

const good = {
  name: "x",
  items: [{ id: new Uint8Array(4), n: 3 }],
  blob: new Uint8Array(2),
  note: null,
  kind: "a" as const,
};

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SaylauError && err.code === "codec/invalid_field")
      return String(err.details.field);
    throw err;
  }
  return "accepted";
}

describe("typed codecs", () => {
  it("round-trips a valid value", () => {
    expect(decodeWith(Outer, encodeWith(Outer, good))).toEqual(good);
  });

  it.each([
    ["unknown field", { ...good, extra: 1 }, "extra"],
    ["missing field", { ...good, name: undefined }, "name"],
    ["wrong type", { ...good, name: 5 }, "name"],
    ["too long text", { ...good, name: "123456789" }, "name"],
    ["wrong byte length", { ...good, items: [{ id: new Uint8Array(3), n: 1 }] }, "items[0].id"],
    ["integer above max", { ...good, items: [{ id: new Uint8Array(4), n: 11 }] }, "items[0].n"],
    ["negative integer", { ...good, items: [{ id: new Uint8Array(4), n: -1 }] }, "items[0].n"],
    [
      "too many items",
      { ...good, items: [good.items[0], good.items[0], good.items[0], good.items[0]] },
      "items",
    ],
    ["oversized bytes", { ...good, blob: new Uint8Array(6) }, "blob"],
    ["value outside the enum", { ...good, kind: "c" }, "kind"],
  ])("names the field on %s", (_name, value, field) => {
    const clean = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
    expect(fieldOf(() => decodeWith(Outer, encodeCanonical(clean as never)))).toBe(field);
  });

  it("tells union variants apart by their type field", () => {
    const A = struct({ type: oneOf(["a"]), x: uint() });
    const B = struct({ type: oneOf(["b"]), y: text(3) });
    const U = tagged("type", { a: A, b: B });
    expect(decodeWith(U, encodeCanonical({ type: "b", y: "hi" }))).toEqual({ type: "b", y: "hi" });
    expect(fieldOf(() => decodeWith(U, encodeCanonical({ type: "c", y: "hi" })))).toBe("type");
    expect(fieldOf(() => decodeWith(U, encodeCanonical({ type: "a", y: "hi" })))).toBe("y");
  });
});
