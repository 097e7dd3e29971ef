/**
 * A secret key file: an ed25519 seed as 64 lowercase hex digits. Kept apart from the
 * election directory's code so a party's short command loads only what it needs.
 */
import { existsSync, readFileSync } from "node:fs";
import { fromHex } from "../crypto/bytes.ts";
import { type Ed25519KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import { SaylauError } from "../errors.ts";

export function readKey(path: string): Ed25519KeyPair {
  if (!existsSync(path)) throw new SaylauError("cli/missing_file", `${path} does not exist`);
  try {
    return keyPairFromSeed(fromHex(readFileSync(path, "utf8").trim(), 32));
  } catch {
    throw new SaylauError(
      "cli/bad_key",
      `${path} must hold a 32-byte seed as 64 lowercase hex digits`,
    );
  }
}
