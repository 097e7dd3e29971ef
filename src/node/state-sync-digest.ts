/**
 * Where a state-syncing validator reads the credential digest a certified state commits to
 * (PROTOCOL.md §6.1): the state's `credentialsDigest` field. A state without that field
 * cannot vouch for any credential record, so a snapshot of it is refused rather than trusted
 * (`snapshot/unsupported`).
 */
import { SaylauError } from "../errors.ts";
import type { ElectionCrypto } from "../ledger/ballot-crypto.ts";
import type { CredentialsDigestOf } from "../ledger/snapshot-verify.ts";
import { decodeState } from "../ledger/state.ts";

export function certifiedCredentialsDigest(crypto: ElectionCrypto): CredentialsDigestOf {
  return (encodedState) => {
    const state = decodeState(crypto, encodedState) as unknown as { credentialsDigest?: unknown };
    const digest = state.credentialsDigest;
    if (!(digest instanceof Uint8Array) || digest.length !== 32) {
      throw new SaylauError(
        "snapshot/unsupported",
        "the state does not carry credentialsDigest (PROTOCOL.md §6.1): its credential records cannot be checked against a certificate",
      );
    }
    return digest;
  };
}
