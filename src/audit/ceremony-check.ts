/**
 * The auditor's check of the key ceremony: the transcript the record carries must verify
 * and be exactly the ceremony the manifest names (src/ledger/ceremony-record.ts). A record
 * without one leaves the ceremony unverified, which the report says (null).
 */
import { isSaylauError } from "../errors.ts";
import { type CeremonyRecord, checkTranscriptAgainstManifest } from "../ledger/ceremony-record.ts";
import type { Manifest } from "../ledger/manifest.ts";
import { AUDIT_CODES, AuditFailure } from "./errors.ts";

export async function checkCeremony(
  manifest: Manifest,
  transcript: Uint8Array | null,
): Promise<CeremonyRecord | null> {
  if (transcript === null) return null;
  try {
    return checkTranscriptAgainstManifest(manifest, transcript);
  } catch (err) {
    if (!isSaylauError(err)) throw err;
    throw new AuditFailure(
      0,
      AUDIT_CODES.badCeremony,
      `the key ceremony's transcript does not verify for this manifest: ${err.message}`,
      { cause: err.code },
    );
  }
}
