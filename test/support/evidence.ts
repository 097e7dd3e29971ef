/**
 * Equivocation evidence signed with a validator's real ed25519 key, and copies of it broken
 * in one chosen way each, for the tests of who accepts evidence (validators, the auditor).
 */
import { encodeWith } from "../../src/codec/schema.ts";
import {
  type EquivocationPhase,
  type Evidence,
  EvidenceCodec,
  makeEvidence,
  phaseStatement,
  type SignedStatement,
} from "../../src/consensus/evidence.ts";
import { utf8 } from "../../src/crypto/bytes.ts";
import { sign } from "../../src/crypto/ed25519.ts";
import { sha256 } from "../../src/crypto/hash.ts";

export interface SignedEvidence {
  readonly evidence: Evidence;
  readonly bytes: Uint8Array;
}

/**
 * Validator `validator` (whose key seed is `seed`) signs two different blocks for one
 * (height, view, phase); `nonce` picks which two, so one slot can yield several proofs.
 */
export function signedEvidence(
  seed: Uint8Array,
  electionId: Uint8Array,
  validator: number,
  at: { height: number; view: number; phase: EquivocationPhase },
  nonce = 0,
): SignedEvidence {
  const statement = (k: number): SignedStatement => {
    const blockHash = sha256(utf8(`evidence test block ${nonce}/${k}`));
    const preparedView = at.phase === "view-change" ? Math.max(0, at.view - 1) : null;
    const sig = sign(
      seed,
      phaseStatement(electionId, at.phase, at.height, at.view, { blockHash, preparedView }),
    );
    return { blockHash, preparedView, sig };
  };
  const evidence = makeEvidence(
    validator,
    at.height,
    at.view,
    at.phase,
    statement(0),
    statement(1),
  );
  return { evidence, bytes: encodeWith(EvidenceCodec, evidence) };
}

const flipped = (bytes: Uint8Array, at = 0): Uint8Array => {
  const out = Uint8Array.from(bytes);
  out[at]! ^= 1;
  return out;
};

/**
 * The evidence with one field changed after signing (each still a well-formed evidence, so
 * only the checks of what it proves can refuse it), and byte strings that are no canonical
 * evidence at all.
 */
export function tamperedEvidence(
  { evidence, bytes }: SignedEvidence,
  validatorCount: number,
): [string, Uint8Array][] {
  const e = evidence;
  const encode = (changed: Evidence) => encodeWith(EvidenceCodec, changed);
  const otherPhase: EquivocationPhase = e.phase === "commit" ? "prepare" : "commit";
  return [
    ["another validator", encode({ ...e, validator: (e.validator + 1) % validatorCount })],
    ["a validator outside the set", encode({ ...e, validator: validatorCount })],
    ["another height", encode({ ...e, height: e.height + 1 })],
    ["another view", encode({ ...e, view: e.view + 1 })],
    ["another phase", encode({ ...e, phase: otherPhase })],
    [
      "a flipped block hash",
      encode({ ...e, first: { ...e.first, blockHash: flipped(e.first.blockHash!) } }),
    ],
    ["a flipped signature", encode({ ...e, second: { ...e.second, sig: flipped(e.second.sig) } })],
    ["one statement twice", encode({ ...e, second: e.first })],
    ["the statements swapped", encode({ ...e, first: e.second, second: e.first })],
    ["a trailing byte", Uint8Array.of(...bytes, 0)],
    ["not evidence", utf8("not evidence")],
  ];
}
