/**
 * Checks what can be checked of transactions without the ledger state: canonical decoding,
 * election id, signature, and for ballots the zero-knowledge proofs, batch-verified with one
 * multi-scalar multiplication. Pure; the worker threads run it, and so can tests directly.
 */
import { toHex } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { isAcceptablePublicKey } from "../crypto/ed25519-rule.ts";
import { verifyBallot } from "../election/ballot.ts";
import { verifyBallotsBatch } from "../election/batch.ts";
import { type HandedOverPoint, handOverDecoding } from "../election/group.ts";
import { isSaylauError, SaylauError } from "../errors.ts";
import { checkSignature, type LedgerContext, signerOf } from "../ledger/apply.ts";
import { checkBallotStyle } from "../ledger/apply-votes.ts";
import type { ElectionCrypto } from "../ledger/ballot-crypto.ts";
import { checkCommissionSignatures } from "../ledger/schedule.ts";
import { type BallotTx, decodeTransaction, signingMessage } from "../ledger/transactions.ts";

export interface TxVerdict {
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
  /**
   * For a verified ballot, the decodings of its ciphertext points, which the tally needs
   * next: handed to the calling thread so it does not decode them again.
   */
  readonly tallyPoints?: readonly HandedOverPoint[];
}

/** One verdict per transaction, in order. */
export function verifyTransactions(
  ctx: LedgerContext,
  encoded: readonly Uint8Array[],
): TxVerdict[] {
  const verdicts: TxVerdict[] = new Array(encoded.length);
  const ballots: { at: number; tx: BallotTx; crypto: ElectionCrypto }[] = [];
  encoded.forEach((bytes, at) => {
    try {
      const tx = decodeTransaction(bytes);
      if (toHex(tx.electionId) !== toHex(ctx.electionId)) {
        throw new SaylauError("ledger/wrong_election", "transaction is for another election");
      }
      if (tx.type === "commission") {
        checkCommissionSignatures(ctx, tx, false);
        verdicts[at] = { ok: true };
        return;
      }
      if (tx.type === "ballot") {
        const signer = signerOf(ctx, tx)!;
        // Ballots come only from registered credentials, whose keys passed the key rule at
        // registration (checked below for register transactions), so it is not repeated.
        if (!verifySignature(signer, signingMessage(tx), tx.sig, true)) {
          throw new SaylauError("ledger/bad_signature", "ballot signature does not verify");
        }
        const crypto = ctx.districtCrypto[tx.district];
        if (crypto === undefined) {
          throw new SaylauError("ledger/unknown_district", `there is no district ${tx.district}`);
        }
        checkBallotStyle(crypto, tx.ballot);
        ballots.push({ at, tx, crypto });
        return;
      }
      checkSignature(ctx, tx);
      if (tx.type === "register") {
        const bad = tx.credentials.find((c) => !isAcceptablePublicKey(c));
        if (bad !== undefined) {
          throw new SaylauError(
            "ledger/bad_credential",
            `credential ${toHex(bad)} is not a valid ed25519 key`,
          );
        }
      }
      verdicts[at] = { ok: true };
    } catch (err) {
      verdicts[at] = failure(err);
    }
  });
  // One batch for all ballots, whatever their styles: every district's context is a style
  // of the one election, so they share the bases of the group equations (src/election/
  // batch.ts, which refuses a context of another election).
  if (ballots.length > 0) verifyBallotGroup(ballots, verdicts);
  return verdicts;
}

function verifyBallotGroup(
  ballots: readonly { at: number; tx: BallotTx; crypto: ElectionCrypto }[],
  verdicts: TxVerdict[],
): void {
  const bad = new Set(
    verifyBallotsBatch(
      ballots[0]!.crypto,
      ballots.map((b) => ({ credential: b.tx.credential, body: b.tx.ballot, style: b.crypto })),
    ),
  );
  ballots.forEach((b, i) => {
    if (!bad.has(i)) {
      verdicts[b.at] = { ok: true, tallyPoints: tallyPointsOf(b.tx) };
      return;
    }
    // Name what failed: the single-ballot verifier says which proof.
    try {
      verifyBallot(b.crypto, b.tx.credential, b.tx.ballot);
      verdicts[b.at] = {
        ok: false,
        code: "election/bad_proof",
        message: "ballot proofs do not verify",
      };
    } catch (err) {
      verdicts[b.at] = failure(err);
    }
  });
}

function tallyPointsOf(tx: BallotTx): HandedOverPoint[] {
  return tx.ballot.contests.flatMap((c) =>
    c.selections.flatMap((s) => [handOverDecoding(s.alpha), handOverDecoding(s.beta)]),
  );
}

function failure(err: unknown): TxVerdict {
  if (isSaylauError(err)) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: "node/verify_failed", message: (err as Error).message };
}
