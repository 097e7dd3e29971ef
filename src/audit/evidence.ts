/**
 * The record's equivocation evidence, checked like everything else in it: each item must be
 * named by its id, appear once, and prove on its own (verifyEvidence against the manifest's
 * validators) that the validator it names signed two conflicting statements. Evidence does
 * not make a record bad; evidence that proves nothing does, since it would accuse a
 * validator that may be honest. The report names the validators proven to have equivocated.
 */
import { evidenceId, verifyEncodedEvidence } from "../consensus/evidence.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { isSaylauError } from "../errors.ts";
import { AUDIT_CODES, AuditFailure } from "./errors.ts";
import type { EvidenceEntry } from "./source.ts";

export interface AccusedValidator {
  readonly validator: number;
  readonly name: string;
  /** Evidence items proving it equivocated. */
  readonly items: number;
}

export interface EvidenceReport {
  readonly items: number;
  /** By validator index. */
  readonly accused: AccusedValidator[];
}

/** Throws AuditFailure `audit/bad_evidence` (height null) at the first item that fails. */
export async function checkEvidence(
  items: AsyncIterable<EvidenceEntry>,
  electionId: Uint8Array,
  validators: readonly { readonly name: string; readonly publicKey: Uint8Array }[],
): Promise<EvidenceReport> {
  const keys = validators.map((v) => v.publicKey);
  const seen = new Set<string>();
  const perValidator = new Map<number, number>();
  for await (const item of items) {
    const named = toHex(item.id);
    const fail = (message: string, details: Record<string, unknown> = {}) =>
      new AuditFailure(null, AUDIT_CODES.badEvidence, `evidence ${named}: ${message}`, {
        evidence: named,
        ...details,
      });
    const id = toHex(evidenceId(item.bytes));
    if (!bytesEqual(item.id, evidenceId(item.bytes))) {
      throw fail(`its bytes have the id ${id}`, { id });
    }
    if (seen.has(id)) throw fail("appears twice");
    seen.add(id);
    let validator: number;
    try {
      validator = verifyEncodedEvidence(electionId, keys, item.bytes, verifySignature).validator;
    } catch (err) {
      if (!isSaylauError(err)) throw err;
      throw fail(err.message, { cause: err.code, ...err.details });
    }
    perValidator.set(validator, (perValidator.get(validator) ?? 0) + 1);
  }
  const accused = [...perValidator.entries()]
    .sort(([a], [b]) => a - b)
    .map(([validator, count]) => ({ validator, name: validators[validator]!.name, items: count }));
  return { items: seen.size, accused };
}
