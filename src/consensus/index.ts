/** The consensus engine's public surface, as src/node uses it. */
export {
  type CertificateErrorCode,
  type CommitCertificate,
  certificateCodec,
  certificateProblem,
  decodeCertificate,
  encodeCertificate,
  MAX_VALIDATORS,
  verifyCertificate,
} from "./certificate.ts";
export { ConsensusEngine, type DecidedBlock } from "./engine.ts";
export {
  decodeEvidence,
  type EquivocationPhase,
  type Evidence,
  EvidenceCodec,
  evidenceId,
  MAX_EVIDENCE_BYTES,
  MAX_EVIDENCE_PER_VALIDATOR,
  verifyEncodedEvidence,
  verifyEvidence,
} from "./evidence.ts";
export type {
  CommitMessage,
  ConsensusMessage,
  NewViewMessage,
  PrePrepareMessage,
  PreparedCertificate,
  PrepareMessage,
  ValidatorSignature,
  ViewChangeMessage,
} from "./messages.ts";
export { messageCodecs } from "./messages.ts";
export { faultTolerance, leaderOf, quorumSize } from "./quorum.ts";
export { commitStatement, consensusStatement } from "./statements.ts";
export {
  type Action,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_TIMEOUTS,
  type DropReason,
  type EngineConfig,
  type ProposalHashFn,
  type Signer,
  type TimeoutConfig,
  type UnsafeTestMutation,
  type VerifyFn,
} from "./types.ts";
export { type WalRecord, walCodec } from "./wal.ts";
