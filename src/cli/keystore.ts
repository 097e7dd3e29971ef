/**
 * Secret files encrypted at rest with a passphrase (docs/ELECTION-CRYPTO.md, "Key files"):
 * scrypt (N = 2^15, r = 8, p = 1, 16-byte random salt) derives a 32-byte key, AES-256-GCM
 * with a 12-byte random nonce encrypts the secret, and the header (magic, kind, kdf
 * parameters, salt, nonce) is the associated data, so no header field can be changed
 * without the decryption failing. A passphrase-independent digest over the whole file tells
 * a damaged or edited file (`keystore/corrupt`) from a wrong passphrase
 * (`keystore/wrong_passphrase`): once the digest matches, a failing GCM tag can only mean
 * a different key.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import {
  bytes,
  bytesUpTo,
  decodeWith,
  encodeWith,
  type Infer,
  oneOf,
  struct,
  text,
  uint,
} from "../codec/schema.ts";
import { bytesEqual, concatBytes } from "../crypto/bytes.ts";
import { TAG, taggedHash } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";

export const KEY_FILE_MAGIC = "saylau-key-v1";
/** The only parameters a version-1 file may carry: a file cannot ask for a costlier kdf. */
export const KDF = { n: 32768, r: 8, p: 1 } as const;
const SALT_LENGTH = 16;
const NONCE_LENGTH = 12;
const GCM_TAG_LENGTH = 16;
const MAX_SECRET = 4096;
/** scrypt needs 128*N*r bytes (32 MiB here); Node's default cap is exactly that, so raise it. */
const SCRYPT_MAXMEM = 64 * 1024 * 1024;

/** What a key file holds, so one kind of secret cannot be handed in for another. */
export const KEY_KINDS = [
  "trustee-signing-key",
  "trustee-polynomial",
  "trustee-share",
  "commission-member-key",
] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

const headerCodec = struct({
  magic: text(32),
  kind: oneOf(KEY_KINDS),
  kdf: struct({ n: uint(), r: uint(), p: uint() }),
  salt: bytes(SALT_LENGTH),
  nonce: bytes(NONCE_LENGTH),
});
type KeyFileHeader = Infer<typeof headerCodec>;

const keyFileCodec = struct({
  header: headerCodec,
  /** AES-256-GCM output: the encrypted secret, then the 16-byte tag. */
  ciphertext: bytesUpTo(MAX_SECRET + GCM_TAG_LENGTH),
  /** H("saylau/v1/keyfile", header bytes || ciphertext): integrity, not authenticity. */
  digest: bytes(32),
});

function corrupt(path: string, why: string): SaylauError {
  return new SaylauError("keystore/corrupt", `${path}: ${why}`, { path });
}

function deriveKey(passphrase: string, salt: Uint8Array): Buffer {
  return scryptSync(passphrase.normalize("NFC"), salt, 32, {
    N: KDF.n,
    r: KDF.r,
    p: KDF.p,
    maxmem: SCRYPT_MAXMEM,
  });
}

function fileDigest(headerBytes: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return taggedHash(TAG.keyFile, concatBytes(headerBytes, ciphertext));
}

export interface SealOptions {
  /** Fixed salt and nonce, only for the documented example and tests. */
  readonly salt?: Uint8Array;
  readonly nonce?: Uint8Array;
}

/** The key file's bytes: `secret` encrypted under `passphrase`. */
export function sealSecret(
  kind: KeyKind,
  secret: Uint8Array,
  passphrase: string,
  options: SealOptions = {},
): Uint8Array {
  checkPassphrase(passphrase);
  if (secret.length > MAX_SECRET) {
    throw new SaylauError("keystore/too_large", `a key file holds at most ${MAX_SECRET} bytes`);
  }
  const header: KeyFileHeader = {
    magic: KEY_FILE_MAGIC,
    kind,
    kdf: { ...KDF },
    salt: options.salt ?? new Uint8Array(randomBytes(SALT_LENGTH)),
    nonce: options.nonce ?? new Uint8Array(randomBytes(NONCE_LENGTH)),
  };
  const headerBytes = encodeWith(headerCodec, header);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(passphrase, header.salt), header.nonce, {
    authTagLength: GCM_TAG_LENGTH,
  });
  cipher.setAAD(headerBytes);
  const ciphertext = new Uint8Array(
    Buffer.concat([cipher.update(secret), cipher.final(), cipher.getAuthTag()]),
  );
  return encodeWith(keyFileCodec, {
    header,
    ciphertext,
    digest: fileDigest(headerBytes, ciphertext),
  });
}

/** The secret in a key file; `path` only names the file in errors. */
export function openSecret(
  kind: KeyKind,
  file: Uint8Array,
  passphrase: string,
  path = "key file",
): Uint8Array {
  let decoded: Infer<typeof keyFileCodec>;
  try {
    decoded = decodeWith(keyFileCodec, file);
  } catch (err) {
    throw corrupt(path, `not a key file (${(err as Error).message})`);
  }
  const { header, ciphertext, digest } = decoded;
  const headerBytes = encodeWith(headerCodec, header);
  if (!bytesEqual(fileDigest(headerBytes, ciphertext), digest)) {
    throw corrupt(path, "the digest does not match: the file was damaged or edited");
  }
  if (header.magic !== KEY_FILE_MAGIC) throw corrupt(path, `magic is not ${KEY_FILE_MAGIC}`);
  if (header.kdf.n !== KDF.n || header.kdf.r !== KDF.r || header.kdf.p !== KDF.p) {
    throw corrupt(path, `kdf parameters must be scrypt N=${KDF.n} r=${KDF.r} p=${KDF.p}`);
  }
  if (header.kind !== kind) {
    throw new SaylauError("keystore/wrong_kind", `${path} holds a ${header.kind}, not a ${kind}`, {
      path,
    });
  }
  if (ciphertext.length < GCM_TAG_LENGTH) throw corrupt(path, "ciphertext shorter than its tag");
  const body = ciphertext.subarray(0, ciphertext.length - GCM_TAG_LENGTH);
  const tag = ciphertext.subarray(ciphertext.length - GCM_TAG_LENGTH);
  const decipher = createDecipheriv(
    "aes-256-gcm",
    deriveKey(passphrase, header.salt),
    header.nonce,
    { authTagLength: GCM_TAG_LENGTH },
  );
  decipher.setAAD(headerBytes);
  decipher.setAuthTag(tag);
  try {
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  } catch {
    // The digest vouches for the bytes, so the key is what differs.
    throw new SaylauError("keystore/wrong_passphrase", `${path}: wrong passphrase`, { path });
  }
}

function checkPassphrase(passphrase: string): void {
  if (typeof passphrase !== "string" || passphrase.length < 8) {
    throw new SaylauError("keystore/weak_passphrase", "a passphrase has at least 8 characters");
  }
}

/** Writes a key file with mode 0600 (through a temporary file, so no reader sees half of it). */
export function writeKeyFile(
  path: string,
  kind: KeyKind,
  secret: Uint8Array,
  passphrase: string,
): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, sealSecret(kind, secret, passphrase), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function readKeyFile(path: string, kind: KeyKind, passphrase: string): Uint8Array {
  if (!existsSync(path)) throw new SaylauError("cli/missing_file", `${path} does not exist`);
  return openSecret(kind, new Uint8Array(readFileSync(path)), passphrase, path);
}

/**
 * The passphrase, never from the command line (argv is visible to every user of the machine):
 * the first line of --passphrase-file, else the environment variable SAYLAU_PASSPHRASE.
 */
export function passphraseFrom(
  passphraseFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (passphraseFile !== undefined) {
    if (!existsSync(passphraseFile)) {
      throw new SaylauError("cli/missing_file", `${passphraseFile} does not exist`);
    }
    const line = readFileSync(passphraseFile, "utf8").split(/\r?\n/)[0] ?? "";
    checkPassphrase(line);
    return line;
  }
  const value = env.SAYLAU_PASSPHRASE;
  if (value === undefined || value === "") {
    throw new SaylauError(
      "cli/usage",
      "the passphrase comes from --passphrase-file FILE or the SAYLAU_PASSPHRASE environment variable",
    );
  }
  checkPassphrase(value);
  return value;
}
