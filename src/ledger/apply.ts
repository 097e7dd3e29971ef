/**
 * The election state machine: a pure function from (state, credential records, transactions)
 * to the next state and the credential records that changed, or a typed error naming the
 * transaction and the rule it breaks.
 *
 * Credential records come in as a read-only lookup that the caller filled beforehand
 * (`credentialsTouched` lists the keys), so the function never touches the disk. Ballots
 * whose signature and proofs were already checked (at mempool admission, or in a parallel
 * batch by an auditor) are named in `verified` and not checked again.
 */
import { toHex } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { isAcceptablePublicKey } from "../crypto/ed25519-rule.ts";
import { SaylauError } from "../errors.ts";
import {
  combineShares,
  contributionOf,
  type ElectionCrypto,
  tallyAdd,
  tallySubtract,
  threshold,
  verifyBallotProofs,
  verifyShare,
} from "./ballot-crypto.ts";
import type { Manifest } from "./manifest.ts";
import { type CredentialRecord, type ElectionState, NEW_CREDENTIAL } from "./state.ts";
import {
  decodeTransaction,
  type Phase,
  signingMessage,
  type Transaction,
  txId,
} from "./transactions.ts";

export interface LedgerContext {
  readonly manifest: Manifest;
  readonly electionId: Uint8Array;
  readonly crypto: ElectionCrypto;
}

/** Credential records by lowercase hex key; `null` means not registered. */
export type CredentialLookup = ReadonlyMap<string, CredentialRecord | null>;

/**
 * Turns a transaction's canonical bytes into its value. decodeTransaction by default; a
 * caller that sees the same transactions again and again (a validator: at admission, when
 * building a candidate and when validating the block) passes a memoising one. It must
 * return what decodeTransaction returns, or throw what it throws.
 */
export type TxDecoder = (encoded: Uint8Array) => Transaction;

export interface ApplyOptions {
  /** Hex tx ids whose signature and proofs are already verified. */
  readonly verified?: ReadonlySet<string>;
  readonly decode?: TxDecoder;
}

export interface ApplyResult {
  readonly state: ElectionState;
  /** Credential records written by these transactions, by hex key. */
  readonly writes: Map<string, CredentialRecord>;
}

/** The credential keys a list of encoded transactions reads or writes. */
export function credentialsTouched(
  txs: readonly Uint8Array[],
  decode: TxDecoder = decodeTransaction,
): Uint8Array[] {
  const out = new Map<string, Uint8Array>();
  for (const bytes of txs) {
    let tx: Transaction;
    try {
      tx = decode(bytes);
    } catch {
      continue; // applyTransactions reports it with its index
    }
    if (tx.type === "register") for (const c of tx.credentials) out.set(toHex(c), c);
    if (tx.type === "ballot") out.set(toHex(tx.credential), tx.credential);
  }
  return [...out.values()];
}

export function txError(index: number, code: string, message: string): SaylauError {
  return new SaylauError(code, `transaction ${index}: ${message}`, { txIndex: index });
}

/**
 * Apply encoded transactions in order. The resulting state's height is not changed here:
 * the block layer sets it.
 */
export function applyTransactions(
  ctx: LedgerContext,
  prior: ElectionState,
  txs: readonly Uint8Array[],
  credentials: CredentialLookup,
  options: ApplyOptions = {},
): ApplyResult {
  let state = prior;
  const writes = new Map<string, CredentialRecord>();
  const seenIds = new Set<string>();
  const record = (hex: string): CredentialRecord | null => {
    const written = writes.get(hex);
    if (written !== undefined) return written;
    const stored = credentials.get(hex);
    if (stored === undefined) {
      throw new SaylauError("ledger/lookup_missing", `credential ${hex} was not looked up`, {
        credential: hex,
      });
    }
    return stored;
  };

  const decode = options.decode ?? decodeTransaction;
  for (const [index, bytes] of txs.entries()) {
    let tx: Transaction;
    try {
      tx = decode(bytes);
    } catch (err) {
      const e = err as SaylauError;
      throw new SaylauError(e.code ?? "codec/malformed", `transaction ${index}: ${e.message}`, {
        ...e.details,
        txIndex: index,
      });
    }
    const id = toHex(txId(bytes));
    if (seenIds.has(id))
      throw txError(index, "ledger/duplicate_tx", "the same transaction twice in one block");
    seenIds.add(id);
    if (toHex(tx.electionId) !== toHex(ctx.electionId)) {
      throw txError(index, "ledger/wrong_election", "transaction is for another election");
    }
    const preVerified = options.verified?.has(id) === true;
    const signer = signerOf(ctx, tx);
    if (signer === undefined) {
      throw txError(
        index,
        "ledger/unknown_trustee",
        `no trustee ${tx.type === "decryption" ? tx.share.trustee : "?"}`,
      );
    }
    // A ballot's signature is checked below, once its credential is known to be registered.
    if (
      tx.type !== "ballot" &&
      !preVerified &&
      !verifySignature(signer, signingMessage(tx), tx.sig)
    ) {
      throw txError(index, "ledger/bad_signature", `${tx.type} signature does not verify`);
    }

    switch (tx.type) {
      case "register": {
        if (state.phase === "closed") {
          throw txError(
            index,
            "ledger/wrong_phase",
            "credentials can be registered only before polls close",
          );
        }
        const inTx = new Set<string>();
        for (const c of tx.credentials) {
          const hex = toHex(c);
          // The key rule is checked once, here, so a ballot's signature check can skip it.
          if (!preVerified && !isAcceptablePublicKey(c)) {
            throw txError(
              index,
              "ledger/bad_credential",
              `credential ${hex} is not a valid ed25519 key`,
            );
          }
          if (inTx.has(hex) || record(hex) !== null) {
            throw txError(
              index,
              "ledger/duplicate_credential",
              `credential ${hex} is already registered`,
            );
          }
          inTx.add(hex);
        }
        for (const hex of inTx) writes.set(hex, NEW_CREDENTIAL);
        state = { ...state, credentials: state.credentials + tx.credentials.length };
        break;
      }
      case "phase": {
        const next = tx.phase;
        if (!isPhaseTransition(state.phase, next)) {
          throw txError(
            index,
            "ledger/bad_phase_transition",
            `cannot move from ${state.phase} to ${next}`,
          );
        }
        state = { ...state, phase: next };
        break;
      }
      case "ballot": {
        if (state.phase !== "open")
          throw txError(index, "ledger/wrong_phase", `polls are ${state.phase}`);
        const hex = toHex(tx.credential);
        const current = record(hex);
        if (current === null)
          throw txError(index, "ledger/unknown_credential", "credential is not registered");
        if (current.seq !== null && tx.seq <= current.seq) {
          throw txError(
            index,
            "ledger/stale_ballot",
            `seq ${tx.seq} is not above the counted ${current.seq}`,
          );
        }
        // Registered, so its key passed the key rule at registration: not checked again.
        if (!preVerified && !verifySignature(tx.credential, signingMessage(tx), tx.sig, true)) {
          throw txError(index, "ledger/bad_signature", "ballot signature does not verify");
        }
        if (!preVerified) {
          try {
            verifyBallotProofs(ctx.crypto, tx.credential, tx.ballot);
          } catch (err) {
            const e = err as SaylauError;
            throw new SaylauError(
              e.code ?? "ledger/bad_ballot",
              `transaction ${index}: ${e.message}`,
              {
                ...e.details,
                txIndex: index,
              },
            );
          }
        }
        let tally = state.tally;
        if (current.contribution !== null)
          tally = tallySubtract(ctx.crypto, tally, current.contribution);
        tally = tallyAdd(ctx.crypto, tally, tx.ballot);
        const contribution = contributionOf(tx.ballot);
        writes.set(hex, { seq: tx.seq, ballotId: txId(bytes), contribution });
        state = {
          ...state,
          tally,
          ballots: state.ballots + 1,
          voters: state.voters + (current.seq === null ? 1 : 0),
        };
        break;
      }
      case "decryption": {
        if (state.phase !== "closed")
          throw txError(index, "ledger/wrong_phase", "the tally is decrypted after polls close");
        if (state.result !== null)
          throw txError(index, "ledger/already_tallied", "the result is already decrypted");
        if (state.decryptions.some((d) => d.trustee === tx.share.trustee)) {
          throw txError(
            index,
            "ledger/duplicate_share",
            `trustee ${tx.share.trustee} has already decrypted`,
          );
        }
        try {
          verifyShare(ctx.crypto, state.tally, tx.share);
        } catch (err) {
          const e = err as SaylauError;
          throw new SaylauError(
            e.code ?? "ledger/bad_share",
            `transaction ${index}: ${e.message}`,
            {
              ...e.details,
              txIndex: index,
            },
          );
        }
        const decryptions = [...state.decryptions, tx.share];
        const result =
          decryptions.length >= threshold(ctx.crypto)
            ? combineShares(ctx.crypto, state.tally, decryptions)
            : null;
        state = { ...state, decryptions, result };
        break;
      }
    }
  }
  return { state, writes };
}

/** Whose key signs a transaction; undefined for a trustee index the manifest does not have. */
export function signerOf(ctx: LedgerContext, tx: Transaction): Uint8Array | undefined {
  switch (tx.type) {
    case "register":
    case "phase":
      return ctx.manifest.authority;
    case "ballot":
      return tx.credential;
    case "decryption":
      return ctx.manifest.trusteeKeys[tx.share.trustee - 1];
  }
}

/** The only phase changes there are: setup -> open -> closed. */
export function isPhaseTransition(from: Phase, to: Phase): boolean {
  return (from === "setup" && to === "open") || (from === "open" && to === "closed");
}
