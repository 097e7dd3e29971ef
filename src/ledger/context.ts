/** Everything the ledger derives once from the manifest bytes. */
import { styleContext } from "../election/context.ts";
import { type ElectionCrypto, prepareElectionCrypto } from "./ballot-crypto.ts";
import { type Geography, geographyOf } from "./geography.ts";
import { decodeManifest, electionIdOf, type Manifest } from "./manifest.ts";

export interface LedgerContext {
  readonly manifest: Manifest;
  readonly electionId: Uint8Array;
  /** The whole election's crypto context (every contest). */
  readonly crypto: ElectionCrypto;
  readonly geography: Geography;
  /** Per district: the crypto context of its ballot style (shared between equal styles). */
  readonly districtCrypto: readonly ElectionCrypto[];
}

export function ledgerContextOf(manifest: Manifest, electionId: Uint8Array): LedgerContext {
  const crypto = prepareElectionCrypto(manifest.election, electionId);
  const geography = geographyOf(manifest);
  const byStyle = new Map<string, ElectionCrypto>();
  const districtCrypto = geography.districts.map((d) => {
    const key = d.style.join(",");
    let styled = byStyle.get(key);
    if (styled === undefined) {
      styled = styleContext(crypto, d.style);
      byStyle.set(key, styled);
    }
    return styled;
  });
  return { manifest, electionId, crypto, geography, districtCrypto };
}

export function ledgerContext(
  manifestBytes: Uint8Array,
): LedgerContext & { readonly manifestBytes: Uint8Array } {
  const manifest = decodeManifest(manifestBytes);
  return { ...ledgerContextOf(manifest, electionIdOf(manifestBytes)), manifestBytes };
}
