/**
 * Authenticity and internal consistency of one received message, independent of the
 * replica's state: right leader, valid signatures, well-formed proofs. The engine decides
 * afterwards whether the message is still useful (height, view, duplicates).
 */
import { bytesEqual } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import { verifyPreparedSignatures } from "./certificate.ts";
import type {
  CommitMessage,
  NewViewMessage,
  PrePrepareMessage,
  PreparedCertificate,
  PrepareMessage,
  ViewChangeMessage,
} from "./messages.ts";
import { leaderOf } from "./quorum.ts";
import { commitStatement, consensusStatement } from "./statements.ts";
import type { DropReason, ProposalHashFn, VerifyFn } from "./types.ts";

export interface CheckContext {
  readonly electionId: Uint8Array;
  readonly validators: readonly Uint8Array[];
  readonly verify: VerifyFn;
  readonly proposalHash: ProposalHashFn;
  readonly quorum: number;
}

export type CheckResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: DropReason; readonly detail: string };

const reject = (reason: DropReason, detail: string) => ({ ok: false, reason, detail }) as const;
const accept = <T>(value: T) => ({ ok: true, value }) as const;

/** Returns the proposal's hash. */
export function checkPrePrepare(ctx: CheckContext, m: PrePrepareMessage): CheckResult<Uint8Array> {
  const leader = leaderOf(m.height, m.view, ctx.validators.length);
  if (m.sender !== leader) {
    return reject("consensus/wrong_leader", `pre-prepare from ${m.sender}, leader is ${leader}`);
  }
  const blockHash = ctx.proposalHash(m.payload);
  const statement = consensusStatement(
    ctx.electionId,
    "pre-prepare",
    m.height,
    m.view,
    blockHash,
    null,
  );
  if (!ctx.verify(ctx.validators[m.sender]!, statement, m.sig)) {
    return reject("consensus/bad_signature", `pre-prepare signature of ${m.sender}`);
  }
  return accept(blockHash);
}

export function checkVote(ctx: CheckContext, m: PrepareMessage | CommitMessage): CheckResult<null> {
  const statement =
    m.type === "commit"
      ? commitStatement(ctx.electionId, m.height, m.view, m.blockHash)
      : consensusStatement(ctx.electionId, "prepare", m.height, m.view, m.blockHash, null);
  if (!ctx.verify(ctx.validators[m.sender]!, statement, m.sig)) {
    return reject("consensus/bad_signature", `${m.type} signature of ${m.sender}`);
  }
  return accept(null);
}

/**
 * A VIEW-CHANGE on its own carries the prepared block's payload (`payloadRequired`); inside a
 * NEW-VIEW's proof the payload is stripped.
 */
export function checkViewChange(
  ctx: CheckContext,
  m: ViewChangeMessage,
  payloadRequired: boolean,
): CheckResult<null> {
  const p = m.prepared;
  const statement = consensusStatement(
    ctx.electionId,
    "view-change",
    m.height,
    m.view,
    p?.blockHash ?? null,
    p?.view ?? null,
  );
  if (!ctx.verify(ctx.validators[m.sender]!, statement, m.sig)) {
    return reject("consensus/bad_signature", `view-change signature of ${m.sender}`);
  }
  if (p !== null) {
    const problem = preparedProblem(ctx, m.height, m.view, p, payloadRequired);
    if (problem !== null)
      return reject("consensus/bad_proof", `view-change of ${m.sender}: ${problem}`);
  }
  return accept(null);
}

function preparedProblem(
  ctx: CheckContext,
  height: number,
  targetView: number,
  p: PreparedCertificate,
  payloadRequired: boolean,
): string | null {
  if (p.view >= targetView) return `prepared view ${p.view} is not below ${targetView}`;
  if (payloadRequired) {
    if (p.payload === null) return "prepared certificate without its payload";
    if (!bytesEqual(ctx.proposalHash(p.payload), p.blockHash)) return "payload does not match hash";
  } else if (p.payload !== null) {
    return "payload must be stripped inside a new-view";
  }
  try {
    verifyPreparedSignatures(
      ctx.electionId,
      ctx.validators,
      height,
      p.view,
      p.blockHash,
      p.prepares,
      ctx.verify,
      ctx.quorum,
    );
  } catch (err) {
    if (err instanceof SaylauError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return null;
}

export interface NewViewFacts {
  /** Hash of the embedded re-proposal, if any. */
  readonly prePrepareHash: Uint8Array | null;
  /** The block the proof forces this view to re-propose; null when the leader may choose. */
  readonly fixedHash: Uint8Array | null;
}

export function checkNewView(ctx: CheckContext, m: NewViewMessage): CheckResult<NewViewFacts> {
  const leader = leaderOf(m.height, m.view, ctx.validators.length);
  if (m.sender !== leader) {
    return reject("consensus/wrong_leader", `new-view from ${m.sender}, leader is ${leader}`);
  }
  let prePrepareHash: Uint8Array | null = null;
  if (m.prePrepare !== null) {
    const pp = m.prePrepare;
    if (pp.height !== m.height || pp.view !== m.view || !bytesEqual(pp.electionId, m.electionId)) {
      return reject("consensus/bad_proof", "embedded pre-prepare is for another height or view");
    }
    const checked = checkPrePrepare(ctx, pp);
    if (!checked.ok) return checked;
    prePrepareHash = checked.value;
  }
  const statement = consensusStatement(
    ctx.electionId,
    "new-view",
    m.height,
    m.view,
    prePrepareHash,
    null,
  );
  if (!ctx.verify(ctx.validators[m.sender]!, statement, m.sig)) {
    return reject("consensus/bad_signature", `new-view signature of ${m.sender}`);
  }
  if (m.viewChanges.length < ctx.quorum) {
    return reject(
      "consensus/bad_proof",
      `${m.viewChanges.length} view-changes, quorum is ${ctx.quorum}`,
    );
  }
  const senders = new Set<number>();
  let highest: PreparedCertificate | null = null;
  for (const vc of m.viewChanges) {
    if (vc.height !== m.height || vc.view !== m.view || !bytesEqual(vc.electionId, m.electionId)) {
      return reject(
        "consensus/bad_proof",
        `view-change of ${vc.sender} is for another height or view`,
      );
    }
    if (senders.has(vc.sender)) {
      return reject("consensus/bad_proof", `two view-changes from ${vc.sender}`);
    }
    senders.add(vc.sender);
    const checked = checkViewChange(ctx, vc, false);
    if (!checked.ok) return reject("consensus/bad_proof", checked.detail);
    if (vc.prepared !== null && (highest === null || vc.prepared.view > highest.view)) {
      highest = vc.prepared;
    }
  }
  // Two prepared certificates of one view always name the same block (quorums intersect in
  // an honest validator), so "the highest" is well defined.
  const fixedHash = highest?.blockHash ?? null;
  if (fixedHash !== null && (prePrepareHash === null || !bytesEqual(prePrepareHash, fixedHash))) {
    return reject("consensus/bad_proof", "new-view does not re-propose the highest prepared block");
  }
  return accept({ prePrepareHash, fixedHash });
}
