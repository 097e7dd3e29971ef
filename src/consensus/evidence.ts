/**
 * Proof of equivocation: two signatures by one validator on different blocks for the same
 * (height, view, phase). Self-contained: anyone with the manifest can check it with
 * verifyEvidence, without trusting whoever reported it.
 */
import { bytes, type Codec, oneOf, struct, uint } from "../codec/schema.ts";
import { compareBytes } from "../crypto/bytes.ts";
import { SIGNATURE_LENGTH } from "../crypto/ed25519-rule.ts";
import { HASH_LENGTH } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";
import { MAX_HEIGHT, MAX_VIEW } from "./messages.ts";
import { commitStatement, consensusStatement } from "./statements.ts";
import type { VerifyFn } from "./types.ts";

export type EquivocationPhase = "pre-prepare" | "prepare" | "commit";

export interface SignedHash {
  readonly blockHash: Uint8Array;
  readonly sig: Uint8Array;
}

export interface Evidence {
  readonly validator: number;
  readonly height: number;
  readonly view: number;
  readonly phase: EquivocationPhase;
  /** The two conflicting statements, ordered by blockHash so one pair has one encoding. */
  readonly first: SignedHash;
  readonly second: SignedHash;
}

const SignedHashCodec = struct({ blockHash: bytes(HASH_LENGTH), sig: bytes(SIGNATURE_LENGTH) });
export const EvidenceCodec: Codec<Evidence> = struct({
  validator: uint(),
  height: uint(MAX_HEIGHT),
  view: uint(MAX_VIEW),
  phase: oneOf(["pre-prepare", "prepare", "commit"] as const),
  first: SignedHashCodec,
  second: SignedHashCodec,
});

export function makeEvidence(
  validator: number,
  height: number,
  view: number,
  phase: EquivocationPhase,
  a: SignedHash,
  b: SignedHash,
): Evidence {
  const [first, second] = compareBytes(a.blockHash, b.blockHash) < 0 ? [a, b] : [b, a];
  return { validator, height, view, phase, first, second };
}

export function phaseStatement(
  electionId: Uint8Array,
  phase: EquivocationPhase,
  height: number,
  view: number,
  blockHash: Uint8Array,
): Uint8Array {
  return phase === "commit"
    ? commitStatement(electionId, height, view, blockHash)
    : consensusStatement(electionId, phase, height, view, blockHash, null);
}

/** Throws `consensus/bad_evidence` unless the evidence proves equivocation. */
export function verifyEvidence(
  electionId: Uint8Array,
  validators: readonly Uint8Array[],
  evidence: Evidence,
  verify: VerifyFn,
): void {
  const fail = (why: string) =>
    new SaylauError("consensus/bad_evidence", why, { validator: evidence.validator });
  EvidenceCodec.check(evidence, "evidence");
  const key = validators[evidence.validator];
  if (key === undefined) throw fail(`validator ${evidence.validator} is not in the set`);
  if (compareBytes(evidence.first.blockHash, evidence.second.blockHash) >= 0) {
    throw fail("the two block hashes must differ and be in ascending order");
  }
  for (const signed of [evidence.first, evidence.second]) {
    const statement = phaseStatement(
      electionId,
      evidence.phase,
      evidence.height,
      evidence.view,
      signed.blockHash,
    );
    if (!verify(key, statement, signed.sig)) throw fail("a signature does not verify");
  }
}
