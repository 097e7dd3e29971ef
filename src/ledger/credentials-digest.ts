/**
 * The credential digest (PROTOCOL.md, "Credential digest"): a lattice hash over every
 * (credential key, encoded credential record) pair, so the state can commit to the records a
 * snapshot carries without rehashing them all per block. The element of one credential is its
 * 32-byte key followed by the canonical encoding of its record; the key is fixed length, so
 * the split is unambiguous and no two pairs share an element.
 */
import { concatBytes } from "../crypto/bytes.ts";
import { HASH_LENGTH } from "../crypto/hash.ts";
import { LatticeHash } from "../crypto/lattice-hash.ts";
import { SaylauError } from "../errors.ts";

export const CREDENTIAL_KEY_LENGTH = HASH_LENGTH;

/** key(32) || encodedRecord. */
export function credentialElement(credential: Uint8Array, encodedRecord: Uint8Array): Uint8Array {
  if (credential.length !== CREDENTIAL_KEY_LENGTH) {
    throw new SaylauError(
      "ledger/bad_credential_key",
      `a credential key is ${CREDENTIAL_KEY_LENGTH} bytes, got ${credential.length}`,
    );
  }
  return concatBytes(credential, encodedRecord);
}

/** The lattice hash over a whole set of records (a replaying verifier, a snapshot check). */
export function credentialsLatticeHash(
  records: Iterable<{ readonly credential: Uint8Array; readonly record: Uint8Array }>,
): LatticeHash {
  function* elements(): Generator<Uint8Array> {
    for (const r of records) yield credentialElement(r.credential, r.record);
  }
  return LatticeHash.over(elements());
}

/**
 * The lattice hash after one write: `previous` is the stored record (undefined for a new
 * credential), `next` the record written over it. The digest of the result is the state's
 * `credentialsDigest` after the write.
 */
export function updateCredentialsLatticeHash(
  current: LatticeHash,
  credential: Uint8Array,
  previous: Uint8Array | undefined,
  next: Uint8Array,
): LatticeHash {
  const after = credentialElement(credential, next);
  if (previous === undefined) return current.add(after);
  return current.replace(credentialElement(credential, previous), after);
}
