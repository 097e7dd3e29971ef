/**
 * ed25519 on the hot path through node:crypto (about 10x faster than pure JS here), applying
 * exactly the rule of ed25519-rule.ts: canonical S is checked here, the key rules once per
 * key when its KeyObject is built and cached, and OpenSSL computes the cofactorless equation.
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  randomBytes,
} from "node:crypto";
import { setBounded } from "../bounded-map.ts";
import { SaylauError } from "../errors.ts";
import { concatBytes, toHex } from "./bytes.ts";
import {
  isAcceptablePublicKey,
  isCanonicalScalar,
  PUBLIC_KEY_LENGTH,
  SEED_LENGTH,
  SIGNATURE_LENGTH,
} from "./ed25519-rule.ts";

export { PUBLIC_KEY_LENGTH, SEED_LENGTH, SIGNATURE_LENGTH } from "./ed25519-rule.ts";

const SPKI_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/** Bounded cache of validated public keys: null marks a key that failed the key rule. */
const KEY_CACHE_LIMIT = 100_000;
const keyCache = new Map<string, KeyObject | null>();

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = toHex(publicKey);
  const cached = keyCache.get(id);
  if (cached !== undefined) return cached;
  const keyObject = isAcceptablePublicKey(publicKey)
    ? createPublicKey({
        key: Buffer.from(concatBytes(SPKI_PREFIX, publicKey)),
        format: "der",
        type: "spki",
      })
    : null;
  setBounded(keyCache, id, keyObject, KEY_CACHE_LIMIT);
  return keyObject;
}

/**
 * `keyAlreadyChecked`: the caller knows the key passed the key rule before (a registered
 * voter credential: registration checks it), so the costly torsion check is not repeated.
 * The verdict is the same; only the work differs.
 */
export function verifySignature(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  keyAlreadyChecked = false,
): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
  if (!isCanonicalScalar(signature.subarray(32, 64))) return false;
  const key = keyAlreadyChecked ? uncheckedKeyObject(publicKey) : publicKeyObject(publicKey);
  if (key === null) return false;
  return nodeVerify(null, message, key, signature);
}

const uncheckedCache = new Map<string, KeyObject | null>();
function uncheckedKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = toHex(publicKey);
  const checked = keyCache.get(id);
  if (checked !== undefined) return checked;
  let key = uncheckedCache.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({
        key: Buffer.from(concatBytes(SPKI_PREFIX, publicKey)),
        format: "der",
        type: "spki",
      });
    } catch {
      key = null;
    }
    if (uncheckedCache.size >= KEY_CACHE_LIMIT) uncheckedCache.clear();
    uncheckedCache.set(id, key);
  }
  return key;
}

/** True when the key passes the key rule (strict encoding, not of small order). */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  return (
    publicKey instanceof Uint8Array &&
    publicKey.length === PUBLIC_KEY_LENGTH &&
    publicKeyObject(publicKey) !== null
  );
}

export interface Ed25519KeyPair {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_LENGTH) {
    throw new SaylauError("crypto/bad_seed", `an ed25519 seed is ${SEED_LENGTH} bytes`);
  }
  const priv = privateKeyObject(seed);
  const jwk = createPublicKey(priv).export({ format: "jwk" });
  const publicKey = new Uint8Array(Buffer.from(jwk.x!, "base64url"));
  return { seed: Uint8Array.from(seed), publicKey };
}

export function generateKeyPair(): Ed25519KeyPair {
  return keyPairFromSeed(new Uint8Array(randomBytes(SEED_LENGTH)));
}

const privateKeyCache = new Map<string, KeyObject>();
function privateKeyObject(seed: Uint8Array): KeyObject {
  const id = toHex(seed);
  let key = privateKeyCache.get(id);
  if (key === undefined) {
    key = createPrivateKey({
      key: Buffer.from(concatBytes(PKCS8_PREFIX, seed)),
      format: "der",
      type: "pkcs8",
    });
    if (privateKeyCache.size >= 1024) privateKeyCache.clear();
    privateKeyCache.set(id, key);
  }
  return key;
}

export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, privateKeyObject(seed)));
}
