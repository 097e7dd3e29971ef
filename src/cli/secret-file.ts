/**
 * Files only their holder may read: created with mode 0600 (directories 0700) from the first
 * byte, never over an existing file. Written exclusively so a second run cannot silently
 * replace a key someone already registered.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { SaylauError } from "../errors.ts";

export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function writeSecretFile(path: string, content: string | Uint8Array): void {
  try {
    writeFileSync(path, content, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new SaylauError("cli/exists", `${path} already exists; it is not overwritten`);
    }
    throw err;
  }
  chmodSync(path, 0o600); // the creation mode is masked by the umask; set it exactly
}
