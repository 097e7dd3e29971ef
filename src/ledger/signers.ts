/** Whose key signs which transaction: the one party each kind belongs to. */
import { verifySignature } from "../crypto/ed25519.ts";
import type { LedgerContext } from "./context.ts";
import { signingMessage, type Transaction } from "./transactions.ts";

/**
 * The key a single-signer transaction must be signed with; undefined when the transaction
 * names a district, region or trustee the manifest does not have, and for commission
 * transactions (signed by k members: schedule.ts).
 */
export function signerOf(ctx: LedgerContext, tx: Transaction): Uint8Array | undefined {
  switch (tx.type) {
    case "register": {
      const district = ctx.geography.districts[tx.district];
      return district === undefined ? undefined : ctx.manifest.regions[district.region]!.registrar;
    }
    case "revoke":
      return ctx.manifest.regions[tx.region]?.registrar;
    case "ballot":
      return tx.credential;
    case "decryption":
      return ctx.manifest.trusteeKeys[tx.share.trustee - 1];
    case "commission":
      return undefined;
  }
}

/** What is missing when signerOf is undefined: the error code and message to give. */
export function missingSigner(tx: Transaction): { code: string; message: string } {
  switch (tx.type) {
    case "register":
      return { code: "ledger/unknown_district", message: `there is no district ${tx.district}` };
    case "revoke":
      return { code: "ledger/unknown_region", message: `there is no region ${tx.region}` };
    case "decryption":
      return { code: "ledger/unknown_trustee", message: `no trustee ${tx.share.trustee}` };
    default:
      return { code: "ledger/bad_signature", message: `${tx.type} has no single signer` };
  }
}

/**
 * For a registration or revocation whose signature fails: the index of another region
 * whose registrar did sign it, so the refusal can say "wrong registrar", not just "bad
 * signature". Runs only on the failure path.
 */
export function otherRegistrarWhoSigned(ctx: LedgerContext, tx: Transaction): number | undefined {
  if (tx.type !== "register" && tx.type !== "revoke") return undefined;
  const message = signingMessage(tx);
  const index = ctx.manifest.regions.findIndex((r) =>
    verifySignature(r.registrar, message, tx.sig),
  );
  return index >= 0 ? index : undefined;
}
