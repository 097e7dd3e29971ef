/** Everything the ledger derives once from the manifest bytes. */
import type { LedgerContext } from "./apply.ts";
import { prepareElectionCrypto } from "./ballot-crypto.ts";
import { decodeManifest, electionIdOf } from "./manifest.ts";

export function ledgerContext(
  manifestBytes: Uint8Array,
): LedgerContext & { readonly manifestBytes: Uint8Array } {
  const manifest = decodeManifest(manifestBytes);
  const electionId = electionIdOf(manifestBytes);
  return {
    manifest,
    manifestBytes,
    electionId,
    crypto: prepareElectionCrypto(manifest.election, electionId),
  };
}
