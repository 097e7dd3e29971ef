/**
 * The committed WebAssembly module is exactly what its AssemblyScript source and the pinned
 * compiler build: rebuilt here and compared byte for byte (scripts/build-wasm.ts).
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { buildWasm, embeddedBytes, embeddedModule, OUTPUT } from "../../../scripts/build-wasm.ts";

it("the embedded module is the build of wasm/ristretto255.ts (else: npm run build:wasm)", async () => {
  const committed = readFileSync(OUTPUT, "utf8");
  const built = await buildWasm();
  expect(embeddedBytes(committed)).toEqual(built);
  expect(committed).toBe(embeddedModule(built));
}, 120_000);
