/** Stored evidence as the API shows it: the canonical bytes, and the fields decoded for people. */
import type { SignedStatement } from "../consensus/evidence.ts";
import { toHex } from "../crypto/bytes.ts";
import type { EvidenceStatementView, EvidenceView } from "./api/service.ts";
import type { StoredEvidence } from "./evidence-pool.ts";

function statementView(s: SignedStatement): EvidenceStatementView {
  return {
    blockHash: s.blockHash === null ? null : toHex(s.blockHash),
    preparedView: s.preparedView,
  };
}

export function evidenceView({ id, bytes, evidence }: StoredEvidence): EvidenceView {
  return {
    id,
    evidence: toHex(bytes),
    validator: evidence.validator,
    phase: evidence.phase,
    height: evidence.height,
    view: evidence.view,
    first: statementView(evidence.first),
    second: statementView(evidence.second),
  };
}
