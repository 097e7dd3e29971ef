/**
 * The election the page works with: its manifest, fetched from a node or loaded from a
 * file, and the context derived from it once (src/ledger/context.ts, as the node does).
 * The election's fingerprint (its id as a readable code) lets a voter compare it with the
 * one the commission publishes, since a node could serve another manifest.
 */
import { fromHex, toHex } from "../../src/crypto/bytes.ts";
import { trackingCode } from "../../src/election/tracking-code.ts";
import { ledgerContext } from "../../src/ledger/context.ts";
import type { ElectionView } from "../../src/node/api/service.ts";
import { getJson } from "./api.ts";

export type Election = ReturnType<typeof ledgerContext> & { readonly fingerprint: string };

const cache = new Map<string, Election>();

export function electionFromManifest(manifest: Uint8Array): Election {
  const key = toHex(manifest);
  let election = cache.get(key);
  if (election === undefined) {
    const ctx = ledgerContext(manifest);
    election = { ...ctx, fingerprint: trackingCode(ctx.electionId) };
    cache.set(key, election);
  }
  return election;
}

export async function fetchElection(node: string): Promise<Election> {
  const view = await getJson<ElectionView>(node, "/v1/election");
  return electionFromManifest(fromHex(view.manifest));
}
