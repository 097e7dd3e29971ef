/**
 * Builds signed, canonical transactions: what the CLI, the demo and tests submit. Each
 * returns the canonical bytes, ready for POST /v1/transactions. A commission transaction is
 * signed by each member on their own (`signCommission`) and assembled from the signatures.
 */
import type { Ed25519KeyPair } from "../crypto/ed25519.ts";
import type { Choices } from "../election/ballot.ts";
import type { TrusteeSecret } from "../election/ceremony.ts";
import { partialDecrypt } from "../election/decryption.ts";
import type { Rng } from "../election/rng.ts";
import type { EncryptedTally } from "./ballot-crypto.ts";
import { sealBallot } from "./challenge.ts";
import type { LedgerContext } from "./context.ts";
import {
  type CommissionTx,
  type DecryptionTx,
  encodeTransaction,
  type RegisterTx,
  type RevokeTx,
  signCommission,
  signTransaction,
  type UnsignedTransaction,
} from "./transactions.ts";

export function registerTx(
  electionId: Uint8Array,
  registrar: Ed25519KeyPair,
  district: number,
  credentials: Uint8Array[],
): Uint8Array {
  return encodeTransaction(
    signTransaction<RegisterTx>(
      { type: "register", electionId, district, credentials },
      registrar.seed,
    ),
  );
}

export function revokeTx(
  electionId: Uint8Array,
  registrar: Ed25519KeyPair,
  region: number,
  credentials: Uint8Array[],
): Uint8Array {
  return encodeTransaction(
    signTransaction<RevokeTx>({ type: "revoke", electionId, region, credentials }, registrar.seed),
  );
}

export function commissionDecision(
  electionId: Uint8Array,
  action: CommissionTx["action"],
  closesAt: number,
): UnsignedTransaction<CommissionTx> {
  return { type: "commission", electionId, action, closesAt };
}

/** The decision signed by the given members (member index and key pair), in member order. */
export function commissionTx(
  decision: UnsignedTransaction<CommissionTx>,
  signers: readonly { readonly member: number; readonly key: Ed25519KeyPair }[],
): Uint8Array {
  const signatures = [...signers]
    .sort((a, b) => a.member - b.member)
    .map((s) => signCommission(decision, s.member, s.key.seed));
  return encodeTransaction({ ...decision, signatures });
}

export function ballotTx(
  ctx: LedgerContext,
  voter: Ed25519KeyPair,
  district: number,
  choices: Choices,
  seq: number,
  rng?: Rng,
): Uint8Array {
  // The same construction as a ballot the voter may still challenge; the nonces are dropped.
  return sealBallot(ctx, voter, district, choices, seq, rng).tx;
}

export function decryptionTx(
  ctx: LedgerContext,
  trustee: { signing: Ed25519KeyPair; secret: TrusteeSecret },
  district: number,
  tally: EncryptedTally,
  rng?: Rng,
): Uint8Array {
  const share = partialDecrypt(ctx.districtCrypto[district]!, trustee.secret, tally, rng);
  return encodeTransaction(
    signTransaction<DecryptionTx>(
      { type: "decryption", electionId: ctx.electionId, district, share },
      trustee.signing.seed,
    ),
  );
}
