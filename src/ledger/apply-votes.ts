/**
 * The voters' and trustees' rules: a ballot counts in its credential's district, in that
 * district's ballot style, inside the voting window; a decryption share decrypts one
 * district's tally after the polls close.
 */
import { toHex } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { SaylauError } from "../errors.ts";
import { replaceDistrict } from "./apply-registration.ts";
import {
  type BallotBody,
  contributionOf,
  countsFromVerifiedShares,
  type ElectionCrypto,
  tallyAdd,
  tallySubtract,
  threshold,
  verifyBallotProofs,
  verifyShare,
} from "./ballot-crypto.ts";
import { districtAt } from "./geography.ts";
import { type CredentialRecord, credentialElement, type ElectionState } from "./state.ts";
import { type BallotTx, type DecryptionTx, signingMessage, txId } from "./transactions.ts";
import type { TxEnv } from "./tx-env.ts";

/**
 * `ledger/wrong_style` unless the ballot carries exactly its style's contests, each with the
 * contest's number of options: checked before any proof, by the ledger and at admission.
 */
export function checkBallotStyle(crypto: ElectionCrypto, body: BallotBody): void {
  const shapes = crypto.shapes;
  const ok =
    body.contests.length === shapes.length &&
    body.contests.every((c, i) => c.selections.length === shapes[i]!.options);
  if (!ok) {
    throw new SaylauError(
      "ledger/wrong_style",
      `the ballot does not carry its district's contests (${crypto.contestNumbers.join(", ")})`,
    );
  }
}

export function applyBallot(env: TxEnv, state: ElectionState, tx: BallotTx): ElectionState {
  const { ctx } = env;
  if (state.phase !== "open") {
    throw new SaylauError(
      "ledger/outside_window",
      `block time ${env.time} is outside the voting window (polls are ${state.phase})`,
    );
  }
  const hex = toHex(tx.credential);
  const current = env.record(hex);
  if (current === null) {
    throw new SaylauError("ledger/unknown_credential", "credential is not registered");
  }
  if (current.revoked) {
    throw new SaylauError("ledger/revoked_credential", "the registrar revoked this credential");
  }
  if (tx.district !== current.district) {
    throw new SaylauError(
      "ledger/wrong_district",
      `the credential is registered to district ${current.district}, not ${tx.district}`,
    );
  }
  const crypto = ctx.districtCrypto[tx.district]!;
  checkBallotStyle(crypto, tx.ballot);
  if (current.seq !== null && tx.seq <= current.seq) {
    throw new SaylauError(
      "ledger/stale_ballot",
      `seq ${tx.seq} is not above the counted ${current.seq}`,
    );
  }
  // Registered, so its key passed the key rule at registration: not checked again.
  if (!env.preVerified) {
    if (!verifySignature(tx.credential, signingMessage(tx), tx.sig, true)) {
      throw new SaylauError("ledger/bad_signature", "ballot signature does not verify");
    }
    verifyBallotProofs(crypto, tx.credential, tx.ballot);
  }
  const district = state.districts[tx.district]!;
  let tally = district.tally;
  if (current.contribution !== null) tally = tallySubtract(crypto, tally, current.contribution);
  tally = tallyAdd(crypto, tally, tx.ballot);
  const next: CredentialRecord = {
    ...current,
    seq: tx.seq,
    ballotId: txId(env.bytes),
    contribution: contributionOf(tx.ballot),
  };
  env.write(hex, next);
  return {
    ...state,
    ballots: state.ballots + 1,
    voters: state.voters + (current.contribution === null ? 1 : 0),
    credentialsLattice: state.credentialsLattice.replace(
      credentialElement(tx.credential, current),
      credentialElement(tx.credential, next),
    ),
    districts: replaceDistrict(state, tx.district, { ...district, tally }),
  };
}

export function applyDecryption(env: TxEnv, state: ElectionState, tx: DecryptionTx): ElectionState {
  const { ctx } = env;
  if (state.phase !== "closed") {
    throw new SaylauError("ledger/wrong_phase", "the tally is decrypted after polls close");
  }
  districtAt(ctx.geography, tx.district);
  const district = state.districts[tx.district]!;
  if (district.result !== null) {
    throw new SaylauError(
      "ledger/already_tallied",
      `district ${tx.district}'s result is already decrypted`,
    );
  }
  if (district.decryptions.some((d) => d.trustee === tx.share.trustee)) {
    throw new SaylauError(
      "ledger/duplicate_share",
      `trustee ${tx.share.trustee} has already decrypted district ${tx.district}`,
    );
  }
  const crypto = ctx.districtCrypto[tx.district]!;
  verifyShare(crypto, district.tally, tx.share);
  const decryptions = [...district.decryptions, tx.share];
  const result =
    decryptions.length >= threshold(crypto)
      ? countsFromVerifiedShares(crypto, district.tally, decryptions)
      : null;
  return {
    ...state,
    districts: replaceDistrict(state, tx.district, { ...district, decryptions, result }),
  };
}
