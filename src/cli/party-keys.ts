/**
 * One party's signing key in that party's own directory (docs/roles-cli.md):
 *
 *   <role>.key   the ed25519 seed, 64 lowercase hex digits and a newline, mode 0600 (secret)
 *   <role>.pub   the public key, 64 lowercase hex digits and a newline (public: hand it over)
 *
 * for the roles member (a commission member), registrar and validator, and voter (the file
 * names `saylau voter keygen` uses). A commission member's seed is encrypted at rest with
 * its passphrase instead (keystore.ts, kind commission-member-key): a member signs by hand.
 * The others' seeds are plain hex: a validator starts unattended and reads its key the same
 * way. A key file is never overwritten.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromHex, toHex } from "../crypto/bytes.ts";
import { type Ed25519KeyPair, isValidPublicKey, keyPairFromSeed } from "../crypto/ed25519.ts";
import { type Rng, systemRng } from "../election/rng.ts";
import { SaylauError } from "../errors.ts";
import { readKey } from "./key-file.ts";
import { type KeyKind, readKeyFile, sealSecret } from "./keystore.ts";
import { makePrivateDir, writeSecretFile } from "./secret-file.ts";

export const PARTY_ROLES = ["member", "registrar", "validator", "voter"] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

export const keyFileName = (role: PartyRole) => `${role}.key`;
export const publicKeyFileName = (role: PartyRole) => `${role}.pub`;

/** Roles whose key file is encrypted with the holder's passphrase, and its kind. */
const SEALED: Partial<Record<PartyRole, KeyKind>> = { member: "commission-member-key" };

/**
 * Makes the party's key in `dir` (created 0700 if missing); refuses a directory holding one.
 * `passphrase` is required for a sealed role and refused for the others.
 */
export function partyKeygen(
  dir: string,
  role: PartyRole,
  rng: Rng = systemRng,
  passphrase?: string,
): Ed25519KeyPair {
  const kind = SEALED[role];
  if ((kind === undefined) !== (passphrase === undefined)) {
    throw new SaylauError("cli/usage", `a ${role} key ${kind ? "needs" : "takes no"} passphrase`);
  }
  makePrivateDir(dir);
  const pair = keyPairFromSeed(rng(32));
  const path = join(dir, keyFileName(role));
  if (kind === undefined) writeSecretFile(path, `${toHex(pair.seed)}\n`);
  else writeSecretFile(path, sealSecret(kind, pair.seed, passphrase!));
  writeFileSync(join(dir, publicKeyFileName(role)), `${toHex(pair.publicKey)}\n`);
  return pair;
}

/** The party's key pair from its own directory (a sealed role's opened with `passphrase`). */
export function readPartyKey(dir: string, role: PartyRole, passphrase?: string): Ed25519KeyPair {
  const path = join(dir, keyFileName(role));
  const kind = SEALED[role];
  if (kind === undefined) return readKey(path);
  if (passphrase === undefined)
    throw new SaylauError("cli/usage", `a ${role} key needs its passphrase`);
  return keyPairFromSeed(readKeyFile(path, kind, passphrase));
}

/** A public key file: 64 hex digits (surrounding white space ignored), a valid ed25519 key. */
export function readPublicKeyFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new SaylauError("cli/missing_file", `${path} does not exist`);
  let key: Uint8Array;
  try {
    key = fromHex(readFileSync(path, "utf8").trim().toLowerCase(), 32);
  } catch {
    throw new SaylauError("cli/bad_key", `${path} must hold a public key as 64 hex digits`);
  }
  if (!isValidPublicKey(key)) {
    throw new SaylauError("cli/bad_key", `${path} is not a valid ed25519 public key`);
  }
  return key;
}

/**
 * A list of voters' public keys: one key of 64 hex digits per line; blank lines and lines
 * starting with "#" are skipped. Duplicates are refused (a register transaction would be).
 */
export function readPublicKeyList(path: string): Uint8Array[] {
  if (!existsSync(path)) throw new SaylauError("cli/missing_file", `${path} does not exist`);
  const seen = new Set<string>();
  const keys: Uint8Array[] = [];
  readFileSync(path, "utf8")
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim().toLowerCase();
      if (line === "" || line.startsWith("#")) return;
      let key: Uint8Array;
      try {
        key = fromHex(line, 32);
      } catch {
        throw new SaylauError("cli/bad_key", `${path} line ${i + 1} is not 64 hex digits`);
      }
      if (!isValidPublicKey(key)) {
        throw new SaylauError("cli/bad_key", `${path} line ${i + 1} is not a valid public key`);
      }
      if (seen.has(line)) {
        throw new SaylauError("cli/bad_key", `${path} line ${i + 1} repeats a key`);
      }
      seen.add(line);
      keys.push(key);
    });
  return keys;
}
