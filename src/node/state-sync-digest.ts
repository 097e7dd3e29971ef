/**
 * Where a state-syncing validator reads the credential digest a certified state commits to
 * (PROTOCOL.md §6.1): the digest of the state's `credentialsLattice`, the lattice hash over
 * every credential record. The snapshot's records must hash to exactly it.
 */
import type { LedgerContext } from "../ledger/context.ts";
import type { CredentialsDigestOf } from "../ledger/snapshot-verify.ts";
import { decodeState } from "../ledger/state.ts";

export function certifiedCredentialsDigest(ctx: LedgerContext): CredentialsDigestOf {
  return (encodedState) => decodeState(ctx, encodedState).credentialsLattice.digest();
}
