/**
 * Proof of equivocation: two signatures by one validator on different statements for the same
 * (height, view, phase): two blocks proposed, prepared or committed, or two VIEW-CHANGEs naming
 * different prepared certificates. Self-contained: anyone with the manifest can check it with
 * verifyEvidence, without trusting whoever reported it.
 */
import { bytes, type Codec, decodeWith, nullable, oneOf, struct, uint } from "../codec/schema.ts";
import { compareBytes } from "../crypto/bytes.ts";
import { SIGNATURE_LENGTH } from "../crypto/ed25519-rule.ts";
import { HASH_LENGTH, TAG, taggedHash } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";
import { MAX_HEIGHT, MAX_VIEW } from "./messages.ts";
import type { VerifyFn } from "./signing.ts";
import { commitStatement, consensusStatement } from "./statements.ts";

export type EquivocationPhase = "pre-prepare" | "prepare" | "commit" | "view-change";

export interface SignedHash {
  readonly blockHash: Uint8Array;
  readonly sig: Uint8Array;
}

/**
 * One signed statement of the evidence. For PRE-PREPARE, PREPARE and COMMIT: the block hash,
 * and preparedView null. For VIEW-CHANGE: the highest prepared block and its view, both null
 * when the validator had prepared nothing.
 */
export interface SignedStatement {
  readonly blockHash: Uint8Array | null;
  readonly preparedView: number | null;
  readonly sig: Uint8Array;
}

export interface Evidence {
  readonly validator: number;
  readonly height: number;
  readonly view: number;
  readonly phase: EquivocationPhase;
  /** The two conflicting statements, in statementOrder, so one pair has one encoding. */
  readonly first: SignedStatement;
  readonly second: SignedStatement;
}

const SignedStatementCodec = struct({
  blockHash: nullable(bytes(HASH_LENGTH)),
  preparedView: nullable(uint(MAX_VIEW)),
  sig: bytes(SIGNATURE_LENGTH),
});
export const EvidenceCodec: Codec<Evidence> = struct({
  validator: uint(),
  height: uint(MAX_HEIGHT),
  view: uint(MAX_VIEW),
  phase: oneOf(["pre-prepare", "prepare", "commit", "view-change"] as const),
  first: SignedStatementCodec,
  second: SignedStatementCodec,
});

/**
 * Longest canonical encoding of an evidence: 343 bytes with every integer at its largest
 * (the test holds it to that), rounded up. Wire frames and stores refuse anything longer.
 */
export const MAX_EVIDENCE_BYTES = 512;

/**
 * Proofs against one validator that a validator keeps (src/node/evidence-pool.ts): one
 * already proves it faulty, and a Byzantine validator can sign any number of conflicting
 * statements about itself. So no honest validator serves more than this many per validator.
 */
export const MAX_EVIDENCE_PER_VALIDATOR = 16;

/** Canonical evidence bytes to the evidence, refusing anything non-canonical or misshapen. */
export function decodeEvidence(encoded: Uint8Array): Evidence {
  return decodeWith(EvidenceCodec, encoded, MAX_EVIDENCE_BYTES);
}

/**
 * The evidence's identity: H("saylau/v1/evidence", canonical bytes). One evidence has one
 * encoding, so validators and auditors that hold the same proof name it alike.
 */
export function evidenceId(encoded: Uint8Array): Uint8Array {
  return taggedHash(TAG.evidence, encoded);
}

/** Order of statements: by block hash (none first), then prepared view (none first). */
export function statementOrder(a: SignedStatement, b: SignedStatement): number {
  if (a.blockHash === null || b.blockHash === null) {
    if (a.blockHash !== b.blockHash) return a.blockHash === null ? -1 : 1;
  } else {
    const byHash = compareBytes(a.blockHash, b.blockHash);
    if (byHash !== 0) return byHash;
  }
  return (a.preparedView ?? -1) - (b.preparedView ?? -1);
}

export function makeEvidence(
  validator: number,
  height: number,
  view: number,
  phase: EquivocationPhase,
  a: SignedStatement,
  b: SignedStatement,
): Evidence {
  const [first, second] = statementOrder(a, b) < 0 ? [a, b] : [b, a];
  return { validator, height, view, phase, first, second };
}

/** The 32 bytes the validator signed for one statement of the evidence. */
export function phaseStatement(
  electionId: Uint8Array,
  phase: EquivocationPhase,
  height: number,
  view: number,
  signed: Omit<SignedStatement, "sig">,
): Uint8Array {
  if (phase === "view-change") {
    return consensusStatement(
      electionId,
      "view-change",
      height,
      view,
      signed.blockHash,
      signed.preparedView,
    );
  }
  if (signed.blockHash === null || signed.preparedView !== null) {
    throw new SaylauError("consensus/bad_evidence", `a ${phase} statement names one block`);
  }
  return phase === "commit"
    ? commitStatement(electionId, height, view, signed.blockHash)
    : consensusStatement(electionId, phase, height, view, signed.blockHash, null);
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
  if (statementOrder(evidence.first, evidence.second) >= 0) {
    throw fail("the two statements must differ and be in ascending order");
  }
  if (
    evidence.phase === "view-change" &&
    [evidence.first, evidence.second].some(
      (s) => (s.blockHash === null) !== (s.preparedView === null),
    )
  ) {
    throw fail("a view-change statement names a prepared block and its view, or neither");
  }
  for (const signed of [evidence.first, evidence.second]) {
    let statement: Uint8Array;
    try {
      statement = phaseStatement(
        electionId,
        evidence.phase,
        evidence.height,
        evidence.view,
        signed,
      );
    } catch (err) {
      throw fail((err as Error).message);
    }
    if (!verify(key, statement, signed.sig)) throw fail("a signature does not verify");
  }
}

/**
 * Decodes evidence bytes and verifies them: what a validator receiving it from a peer and an
 * auditor reading it from a record both do. Throws a `codec/*` error for bytes that are not
 * one canonical evidence, `consensus/bad_evidence` for evidence that proves nothing.
 */
export function verifyEncodedEvidence(
  electionId: Uint8Array,
  validators: readonly Uint8Array[],
  encoded: Uint8Array,
  verify: VerifyFn,
): Evidence {
  const evidence = decodeEvidence(encoded);
  verifyEvidence(electionId, validators, evidence, verify);
  return evidence;
}
