/**
 * src/credential runs in a browser: bundled the way the web app is (scripts/build-web.ts, with
 * its ed25519 shim) and run in a bare JavaScript context with no `process`, `Buffer` or
 * node:crypto, so noble's scrypt and the pure-JS ed25519 do the work, it derives the worked
 * example's key (docs/PROTOCOL.md §15.5).
 */
import { join } from "node:path";
import { createContext, runInContext } from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { browserEd25519 } from "../../../scripts/build-web.ts";
import { toHex } from "../../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../../src/crypto/ed25519.ts";

const CODE = "KZ726-YZW3N-C19VC-FFKAA-MACWY";
const ELECTION = "cbe649178af12b85baa7328121f0e90fe793deb7b30781d166171d9279b7823b";
const PUBLIC_KEY = "1232f9b668121af843e9ab729cb1418f8296519134b012f9e23d0b58793a7da4";

describe("src/credential in a browser bundle", () => {
  it("derives the worked example's key with no Node API in reach", async () => {
    const bundle = await build({
      entryPoints: [join(import.meta.dirname, "browser-entry.ts")],
      bundle: true,
      write: false,
      format: "iife",
      globalName: "credential",
      platform: "browser",
      target: ["es2022"],
      plugins: [browserEd25519],
      logLevel: "silent",
    });
    const source = bundle.outputFiles[0]!.text;
    expect(source).not.toMatch(/require\(["']node:/);
    const context = createContext({ TextEncoder, TextDecoder });
    runInContext(source, context);
    expect(runInContext("typeof process + typeof Buffer", context)).toBe("undefinedundefined");
    const call = (expr: string) => runInContext(`credential.${expr}`, context) as string;
    expect(call(`parse(${JSON.stringify(CODE.toLowerCase())})`)).toBe(CODE.replace(/-/g, ""));
    expect(call(`publicKeyOfCode(${JSON.stringify(CODE)}, "${ELECTION}")`)).toBe(PUBLIC_KEY);
    const seed = "11".repeat(32);
    expect(call(`voterKeyFromBytes("${seed}")`)).toBe(
      toHex(keyPairFromSeed(new Uint8Array(32).fill(0x11)).publicKey),
    );
  });
});
