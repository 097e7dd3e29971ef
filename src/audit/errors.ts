/**
 * The auditor's two kinds of failure, kept apart because they mean different things to
 * whoever runs it: an AuditFailure says the record is wrong (the election's ledger, as
 * served or exported, does not verify at `height`), a RecordSourceError says the record
 * could not be read at all (node down, bad JSON, a broken export directory) and proves
 * nothing either way. The CLI maps them to exit codes 1 and 3.
 */
import { SaylauError } from "../errors.ts";

export class AuditFailure extends SaylauError {
  /** The height of the first block that does not verify; null for whole-record checks. */
  readonly height: number | null;

  constructor(
    height: number | null,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { ...details, height });
    this.name = "AuditFailure";
    this.height = height;
  }
}

export class RecordSourceError extends SaylauError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = "RecordSourceError";
  }
}

/** Stable codes the auditor itself raises (validateBlock's and the verifier's pass through). */
export const AUDIT_CODES = {
  badManifest: "audit/bad_manifest",
  badCeremony: "audit/bad_ceremony",
  badBlock: "audit/bad_block",
  gap: "audit/gap",
  outOfOrder: "audit/out_of_order",
  missingCertificate: "audit/missing_certificate",
  badCertificate: "audit/bad_certificate",
  certificateMismatch: "audit/certificate_mismatch",
  badShare: "audit/bad_share",
  resultMismatch: "audit/result_mismatch",
  truncated: "audit/truncated",
  inconsistent: "audit/inconsistent",
  badEvidence: "audit/bad_evidence",
} as const;

/** Codes a record source raises when it cannot be read. */
export const SOURCE_CODES = {
  unreachable: "audit/unreachable",
  httpStatus: "audit/http_status",
  malformedResponse: "audit/malformed_response",
  badExport: "audit/bad_export",
  exportDirNotEmpty: "audit/export_dir_not_empty",
} as const;
