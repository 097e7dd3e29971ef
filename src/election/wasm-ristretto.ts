/**
 * The WebAssembly ristretto255 arithmetic (source: wasm/ristretto255.ts, built into
 * ./wasm/ristretto255-wasm.ts) behind the same noble point objects the rest of the code uses:
 * canonical decoding, encoding and multi-scalar multiplication.
 *
 * NOT CONSTANT TIME, so only for PUBLIC data: verifying ballot proofs, decryption proofs, the
 * ceremony's Schnorr proofs and tally combinations. Nothing that touches a secret (encryption,
 * key generation, decryption shares, signing) may call it; those stay on @noble/curves.
 *
 * Points cross the boundary as their extended coordinates (X, Y, Z, T), 32 bytes little-endian
 * each; a decoding comes back with Z = 1, exactly the representative RFC 9496's DECODE gives
 * (and noble's fromBytes), so both backends produce identical point objects.
 */
import { ed25519, ristretto255 } from "@noble/curves/ed25519.js";
import { RISTRETTO255_WASM_BASE64 } from "./wasm/ristretto255-wasm.ts";

type Point = InstanceType<typeof ristretto255.Point>;
const EdwardsPoint = ed25519.Point;

/** The part of the WebAssembly API used here (the project's TypeScript lib has no DOM types). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface Exports {
  readonly memory: { readonly buffer: ArrayBuffer };
  buffer(size: number): number;
  decode(s: number, out: number): number;
  encode(p: number, out: number): void;
  msm(n: number, points: number, scalars: number, out: number, scratch: number): void;
  fromUniformBytes(b: number, out: number): void;
  add(p: number, q: number, out: number): void;
  subtract(p: number, q: number, out: number): void;
  double(p: number, out: number): void;
  equal(p: number, q: number): number;
  fieldMul(a: number, b: number, out: number): void;
  fieldSquare(a: number, out: number): void;
  fieldAdd(a: number, b: number, out: number): void;
  fieldSubtract(a: number, b: number, out: number): void;
  fieldSqrtRatio(u: number, v: number, out: number): number;
}

const WIRE_POINT = 128;
const M64 = (1n << 64n) - 1n;

function instantiate(): Exports | undefined {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (wasm === undefined) return undefined;
  try {
    const bytes = Uint8Array.from(atob(RISTRETTO255_WASM_BASE64), (c) => c.charCodeAt(0));
    // Synchronous: the module is ~10 KB and compiles in about a millisecond; a browser that
    // refuses synchronous compilation on its main thread falls back to noble (undefined).
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { abort: () => {} } });
    return instance.exports as unknown as Exports;
  } catch {
    return undefined;
  }
}

/** The module and views of its memory (renewed whenever the memory grows). */
class Wasm {
  readonly x: Exports;
  private view: DataView;
  private bytes: Uint8Array;

  constructor(exports: Exports) {
    this.x = exports;
    this.view = new DataView(exports.memory.buffer);
    this.bytes = new Uint8Array(exports.memory.buffer);
  }

  /** A region of `size` bytes for inputs and outputs; its address. */
  region(size: number): number {
    const at = this.x.buffer(size);
    this.refresh();
    return at;
  }

  refresh(): void {
    if (this.view.buffer !== this.x.memory.buffer) {
      this.view = new DataView(this.x.memory.buffer);
      this.bytes = new Uint8Array(this.x.memory.buffer);
    }
  }

  writeBytes(at: number, data: Uint8Array): void {
    this.bytes.set(data, at);
  }

  readBytes(at: number, length: number): Uint8Array {
    return this.bytes.slice(at, at + length);
  }

  /** A value below 2^256 as 32 bytes little-endian. */
  writeBig(at: number, x: bigint): void {
    const v = this.view;
    v.setBigUint64(at, x & M64, true);
    v.setBigUint64(at + 8, (x >> 64n) & M64, true);
    v.setBigUint64(at + 16, (x >> 128n) & M64, true);
    v.setBigUint64(at + 24, x >> 192n, true);
  }

  readBig(at: number): bigint {
    const v = this.view;
    return (
      v.getBigUint64(at, true) |
      (v.getBigUint64(at + 8, true) << 64n) |
      (v.getBigUint64(at + 16, true) << 128n) |
      (v.getBigUint64(at + 24, true) << 192n)
    );
  }

  writePoint(at: number, point: Point): void {
    const { X, Y, Z, T } = coordinates(point);
    this.writeBig(at, X);
    this.writeBig(at + 32, Y);
    this.writeBig(at + 64, Z);
    this.writeBig(at + 96, T);
  }

  readPoint(at: number): Point {
    const ep = new EdwardsPoint(
      this.readBig(at),
      this.readBig(at + 32),
      this.readBig(at + 64),
      this.readBig(at + 96),
    );
    return new ristretto255.Point(ep);
  }
}

function coordinates(point: Point): { X: bigint; Y: bigint; Z: bigint; T: bigint } {
  return (point as unknown as { ep: { X: bigint; Y: bigint; Z: bigint; T: bigint } }).ep;
}

let loaded: Wasm | null | undefined;

function module(): Wasm | undefined {
  if (loaded === undefined) {
    const exports = instantiate();
    loaded = exports === undefined ? null : new Wasm(exports);
  }
  return loaded ?? undefined;
}

/** Whether the WebAssembly module can run here. */
export function wasmAvailable(): boolean {
  return module() !== undefined;
}

function need(): Wasm {
  const m = module();
  if (m === undefined) throw new Error("the WebAssembly ristretto255 module is not available");
  return m;
}

/** RFC 9496 DECODE; undefined for every encoding it rejects (and for a length other than 32). */
export function wasmDecode(bytes: Uint8Array): Point | undefined {
  if (bytes.length !== 32) return undefined;
  const m = need();
  const at = m.region(32 + WIRE_POINT);
  m.writeBytes(at, bytes);
  if (m.x.decode(at, at + 32) !== 1) return undefined;
  return m.readPoint(at + 32);
}

/** RFC 9496 ENCODE. */
export function wasmEncode(point: Point): Uint8Array {
  const m = need();
  const at = m.region(WIRE_POINT + 32);
  m.writePoint(at, point);
  m.x.encode(at, at + WIRE_POINT);
  return m.readBytes(at + WIRE_POINT, 32);
}

/** sum scalars[i] * points[i]; every scalar must be in [0, L) (L < 2^253). */
export function wasmMsm(points: readonly Point[], scalars: readonly bigint[]): Point {
  const n = points.length;
  if (scalars.length !== n) throw new Error("msm: as many scalars as points");
  const m = need();
  const scalarsAt = n * WIRE_POINT;
  const outAt = scalarsAt + n * 32;
  const scratchAt = outAt + WIRE_POINT;
  const at = m.region(scratchAt);
  for (let i = 0; i < n; i++) {
    const s = scalars[i]!;
    if (s < 0n || s >= 1n << 253n) throw new Error("msm: scalar out of range");
    m.writePoint(at + i * WIRE_POINT, points[i]!);
    m.writeBig(at + scalarsAt + i * 32, s);
  }
  m.x.msm(n, at, at + scalarsAt, at + outAt, at + scratchAt);
  m.refresh();
  return m.readPoint(at + outAt);
}

/** RFC 9496 section 4.3.4 element derivation from 64 uniform bytes. */
export function wasmFromUniformBytes(bytes: Uint8Array): Point {
  if (bytes.length !== 64) throw new Error("64 bytes expected");
  const m = need();
  const at = m.region(64 + WIRE_POINT);
  m.writeBytes(at, bytes);
  m.x.fromUniformBytes(at, at + 64);
  return m.readPoint(at + 64);
}

/** Point and field operations one by one, for the differential tests. */
export const wasmOps = {
  add: (p: Point, q: Point): Point => binary(p, q, "add"),
  subtract: (p: Point, q: Point): Point => binary(p, q, "subtract"),
  double(p: Point): Point {
    const m = need();
    const at = m.region(2 * WIRE_POINT);
    m.writePoint(at, p);
    m.x.double(at, at + WIRE_POINT);
    return m.readPoint(at + WIRE_POINT);
  },
  equal(p: Point, q: Point): boolean {
    const m = need();
    const at = m.region(2 * WIRE_POINT);
    m.writePoint(at, p);
    m.writePoint(at + WIRE_POINT, q);
    return m.x.equal(at, at + WIRE_POINT) === 1;
  },
  /** Field operations on values below 2^255; results are canonical (below p). */
  field(op: "mul" | "add" | "subtract", a: bigint, b: bigint): bigint {
    const m = need();
    const at = m.region(96);
    m.writeBig(at, a);
    m.writeBig(at + 32, b);
    if (op === "mul") m.x.fieldMul(at, at + 32, at + 64);
    else if (op === "add") m.x.fieldAdd(at, at + 32, at + 64);
    else m.x.fieldSubtract(at, at + 32, at + 64);
    return m.readBig(at + 64);
  },
  square(a: bigint): bigint {
    const m = need();
    const at = m.region(64);
    m.writeBig(at, a);
    m.x.fieldSquare(at, at + 32);
    return m.readBig(at + 32);
  },
  sqrtRatio(u: bigint, v: bigint): { isSquare: boolean; root: bigint } {
    const m = need();
    const at = m.region(96);
    m.writeBig(at, u);
    m.writeBig(at + 32, v);
    const isSquare = m.x.fieldSqrtRatio(at, at + 32, at + 64) === 1;
    return { isSquare, root: m.readBig(at + 64) };
  },
};

function binary(p: Point, q: Point, op: "add" | "subtract"): Point {
  const m = need();
  const at = m.region(3 * WIRE_POINT);
  m.writePoint(at, p);
  m.writePoint(at + WIRE_POINT, q);
  m.x[op](at, at + WIRE_POINT, at + 2 * WIRE_POINT);
  return m.readPoint(at + 2 * WIRE_POINT);
}
