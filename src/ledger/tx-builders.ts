/**
 * Builds signed, canonical transactions: what the CLI, the demo and tests submit. Each
 * returns the canonical bytes, ready for POST /v1/transactions.
 */
import type { Ed25519KeyPair } from "../crypto/ed25519.ts";
import type { Choices } from "../election/ballot.ts";
import type { TrusteeSecret } from "../election/ceremony.ts";
import { partialDecrypt } from "../election/decryption.ts";
import type { Rng } from "../election/rng.ts";
import type { ElectionCrypto, EncryptedTally } from "./ballot-crypto.ts";
import { sealBallot } from "./challenge.ts";
import {
  type DecryptionTx,
  encodeTransaction,
  type PhaseTx,
  type RegisterTx,
  signTransaction,
} from "./transactions.ts";

export function registerTx(
  electionId: Uint8Array,
  authority: Ed25519KeyPair,
  credentials: Uint8Array[],
): Uint8Array {
  return encodeTransaction(
    signTransaction<RegisterTx>({ type: "register", electionId, credentials }, authority.seed),
  );
}

export function phaseTx(
  electionId: Uint8Array,
  authority: Ed25519KeyPair,
  phase: "open" | "closed",
): Uint8Array {
  return encodeTransaction(
    signTransaction<PhaseTx>({ type: "phase", electionId, phase }, authority.seed),
  );
}

export function ballotTx(
  crypto: ElectionCrypto,
  voter: Ed25519KeyPair,
  choices: Choices,
  seq: number,
  rng?: Rng,
): Uint8Array {
  // The same construction as a ballot the voter may still challenge; the nonces are dropped.
  return sealBallot(crypto, voter, choices, seq, rng).tx;
}

export function decryptionTx(
  crypto: ElectionCrypto,
  trustee: { signing: Ed25519KeyPair; secret: TrusteeSecret },
  tally: EncryptedTally,
  rng?: Rng,
): Uint8Array {
  const share = partialDecrypt(crypto, trustee.secret, tally, rng);
  return encodeTransaction(
    signTransaction<DecryptionTx>(
      { type: "decryption", electionId: crypto.electionId, share },
      trustee.signing.seed,
    ),
  );
}
