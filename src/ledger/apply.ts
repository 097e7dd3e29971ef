/**
 * The election state machine: a pure function from (state, credential records, block time,
 * transactions) to the next state and the credential records that changed, or a typed error
 * naming the transaction and the rule it breaks.
 *
 * Credential records come in as a read-only lookup that the caller filled beforehand
 * (`credentialsTouched` lists the keys), so the function never touches the disk. Ballots
 * whose signature and proofs were already checked (at mempool admission, or in a parallel
 * batch by an auditor) are named in `verified` and not checked again.
 */
import { toHex } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { SaylauError } from "../errors.ts";
import { applyRegister, applyRevoke } from "./apply-registration.ts";
import { applyBallot, applyDecryption } from "./apply-votes.ts";
import type { LedgerContext } from "./context.ts";
import { advanceClock, applyCommission, checkCommissionSignatures } from "./schedule.ts";
import { missingSigner, otherRegistrarWhoSigned, signerOf } from "./signers.ts";
import type { CredentialRecord, ElectionState } from "./state.ts";
import {
  decodeTransaction,
  type SingleSignerTransaction,
  signingMessage,
  type Transaction,
  txId,
} from "./transactions.ts";
import type { TxEnv } from "./tx-env.ts";

export type { LedgerContext } from "./context.ts";
export { signerOf } from "./signers.ts";

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
    if (tx.type === "register" || tx.type === "revoke")
      for (const c of tx.credentials) out.set(toHex(c), c);
    if (tx.type === "ballot") out.set(toHex(tx.credential), tx.credential);
  }
  return [...out.values()];
}

export function txError(index: number, code: string, message: string): SaylauError {
  return new SaylauError(code, `transaction ${index}: ${message}`, { txIndex: index });
}

/** Re-throws an error from a rule with the transaction's index in message and details. */
function atIndex(index: number, err: unknown): SaylauError {
  if (!(err instanceof SaylauError)) throw err;
  if (err.details?.txIndex === index) return err;
  return new SaylauError(err.code, `transaction ${index}: ${err.message}`, {
    ...err.details,
    txIndex: index,
  });
}

/**
 * Apply encoded transactions in order, in a block whose header time is `time`. The resulting
 * state's height is not changed here: the block layer sets it.
 */
export function applyTransactions(
  ctx: LedgerContext,
  prior: ElectionState,
  txs: readonly Uint8Array[],
  credentials: CredentialLookup,
  time: number,
  options: ApplyOptions = {},
): ApplyResult {
  let state = advanceClock(ctx, prior, time);
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
  const write = (hex: string, r: CredentialRecord) => {
    writes.set(hex, r);
  };

  const decode = options.decode ?? decodeTransaction;
  for (const [index, bytes] of txs.entries()) {
    try {
      const tx = decode(bytes);
      const id = toHex(txId(bytes));
      if (seenIds.has(id))
        throw new SaylauError("ledger/duplicate_tx", "the same transaction twice in one block");
      seenIds.add(id);
      if (toHex(tx.electionId) !== toHex(ctx.electionId)) {
        throw new SaylauError("ledger/wrong_election", "transaction is for another election");
      }
      const preVerified = options.verified?.has(id) === true;
      const env: TxEnv = { ctx, index, bytes, preVerified, time, record, write };
      if (tx.type === "commission") {
        checkCommissionSignatures(ctx, tx, preVerified);
        state = applyCommission(ctx, state, tx, time);
        continue;
      }
      if (state.phase === "setup") {
        throw new SaylauError(
          "ledger/not_approved",
          "the commission has not approved the manifest yet",
        );
      }
      // A ballot's signature is checked by its rule, once its credential is known to be registered.
      if (tx.type !== "ballot" && !preVerified) checkSignature(ctx, tx);
      switch (tx.type) {
        case "register":
          state = applyRegister(env, state, tx);
          break;
        case "revoke":
          state = applyRevoke(env, state, tx);
          break;
        case "ballot":
          state = applyBallot(env, state, tx);
          break;
        case "decryption":
          state = applyDecryption(env, state, tx);
          break;
      }
    } catch (err) {
      throw atIndex(index, err);
    }
  }
  return { state, writes };
}

/** A single-signer transaction's signature, naming a registrar of another region if it was one. */
export function checkSignature(ctx: LedgerContext, tx: SingleSignerTransaction): void {
  const signer = signerOf(ctx, tx);
  if (signer === undefined) {
    const missing = missingSigner(tx);
    throw new SaylauError(missing.code, missing.message);
  }
  if (verifySignature(signer, signingMessage(tx), tx.sig)) return;
  const other = otherRegistrarWhoSigned(ctx, tx);
  if (other !== undefined) {
    throw new SaylauError(
      "ledger/wrong_registrar",
      `${tx.type} is signed by the registrar of region ${ctx.manifest.regions[other]!.id}, not of its own region`,
      { region: other },
    );
  }
  throw new SaylauError("ledger/bad_signature", `${tx.type} signature does not verify`);
}
