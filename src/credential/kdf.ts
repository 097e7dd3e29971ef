/**
 * The ed25519 seed of a printed credential code (docs/PROTOCOL.md §15):
 *
 *   seed = scrypt(P = ASCII(canonical code), S = "saylau/v1/printed-credential" || electionId,
 *                 N = 2^16, r = 8, p = 1, dkLen = 32)
 *
 * The election id in the salt makes a code useless for any other election. scrypt is
 * memory-hard, so someone who saw part of a code pays 64 MiB and about a second per guess of
 * the rest; the parameters are the most a voter's phone derives in a few seconds (the
 * measurements are in the section). A code is parsed, and so its check symbols verified,
 * before any of that work.
 *
 * In Node the derivation runs in node:crypto (native, and off the main thread when async);
 * elsewhere, such as the voter's browser, in noble's pure-JS scrypt. Both compute RFC 7914's
 * scrypt; the tests hold them to the same output. node:crypto is fetched with
 * process.getBuiltinModule, as in src/crypto/hash.ts, so this file loads in a browser.
 */
import { scrypt as nobleScrypt, scryptAsync as nobleScryptAsync } from "@noble/hashes/scrypt.js";
import { concatBytes, utf8 } from "../crypto/bytes.ts";
import { type Ed25519KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import { SaylauError } from "../errors.ts";
import { parseCode } from "./code.ts";

type NodeCrypto = typeof import("node:crypto");
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;

export const CREDENTIAL_SALT_PREFIX = "saylau/v1/printed-credential";
export const SCRYPT_PARAMS = { N: 2 ** 16, r: 8, p: 1, dkLen: 32 } as const;
/** scrypt needs 128 N r p bytes (64 MiB); both implementations refuse to exceed their maxmem. */
const MAXMEM = 2 * 128 * SCRYPT_PARAMS.N * SCRYPT_PARAMS.r * SCRYPT_PARAMS.p;
export const ELECTION_ID_LENGTH = 32;

export interface KdfInput {
  readonly password: Uint8Array;
  readonly salt: Uint8Array;
}

/** The scrypt password and salt of a code (parsed first: a typo throws before any work). */
export function kdfInput(code: string, electionId: Uint8Array): KdfInput {
  const canonical = parseCode(code);
  if (!(electionId instanceof Uint8Array) || electionId.length !== ELECTION_ID_LENGTH) {
    throw new SaylauError(
      "credential/bad_election_id",
      `an election id is ${ELECTION_ID_LENGTH} bytes`,
    );
  }
  return {
    password: utf8(canonical), // the alphabet is ASCII: one byte per symbol
    salt: concatBytes(utf8(CREDENTIAL_SALT_PREFIX), electionId),
  };
}

/** The 32-byte ed25519 seed a code stands for in one election (blocks for about a second). */
export function seedFromCode(code: string, electionId: Uint8Array): Uint8Array {
  const { password, salt } = kdfInput(code, electionId);
  if (nodeCrypto !== undefined) {
    const { N, r, p, dkLen } = SCRYPT_PARAMS;
    return new Uint8Array(
      nodeCrypto.scryptSync(password, salt, dkLen, { N, r, p, maxmem: MAXMEM }),
    );
  }
  return seedFromCodePure(code, electionId);
}

/** The same without blocking: node:crypto's thread pool, or noble's scrypt in slices. */
export async function seedFromCodeAsync(
  code: string,
  electionId: Uint8Array,
  onProgress?: (fraction: number) => void,
): Promise<Uint8Array> {
  const { password, salt } = kdfInput(code, electionId);
  if (nodeCrypto !== undefined) {
    const { N, r, p, dkLen } = SCRYPT_PARAMS;
    const seed = await new Promise<Uint8Array>((resolve, reject) =>
      nodeCrypto.scrypt(password, salt, dkLen, { N, r, p, maxmem: MAXMEM }, (err, key) =>
        err ? reject(err) : resolve(new Uint8Array(key)),
      ),
    );
    onProgress?.(1);
    return seed;
  }
  return nobleScryptAsync(password, salt, {
    ...SCRYPT_PARAMS,
    maxmem: MAXMEM,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/** noble's pure-JS scrypt, always: what a browser computes, for tests and measurements. */
export function seedFromCodePure(code: string, electionId: Uint8Array): Uint8Array {
  const { password, salt } = kdfInput(code, electionId);
  return nobleScrypt(password, salt, { ...SCRYPT_PARAMS, maxmem: MAXMEM });
}

export function keyPairFromCode(code: string, electionId: Uint8Array): Ed25519KeyPair {
  return keyPairFromSeed(seedFromCode(code, electionId));
}

export async function keyPairFromCodeAsync(
  code: string,
  electionId: Uint8Array,
  onProgress?: (fraction: number) => void,
): Promise<Ed25519KeyPair> {
  return keyPairFromSeed(await seedFromCodeAsync(code, electionId, onProgress));
}
