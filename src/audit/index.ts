/** The auditor and the election record export: one import point for the CLI and tests. */
export {
  type AuditOptions,
  type AuditProgress,
  type AuditReport,
  auditRecord,
} from "./audit.ts";
export { AUDIT_CODES, AuditFailure, RecordSourceError, SOURCE_CODES } from "./errors.ts";
export type { AccusedValidator, EvidenceReport } from "./evidence.ts";
export { type ExportSummary, exportRecord } from "./export.ts";
export {
  type ConsistencyAnswer,
  DirectorySource,
  type EvidenceEntry,
  entryFileName,
  evidenceFileName,
  MemorySource,
  NodeSource,
  type RecordEntry,
  type RecordSource,
  type SourceHead,
} from "./source.ts";
