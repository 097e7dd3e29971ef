/**
 * A commission member's signature file: what `saylau commission sign` writes and
 * `saylau commission submit` gathers into one commission transaction. Public (it holds a
 * signature, no key). Canonical CBOR of the map below (docs/roles-cli.md); `sig` is the
 * member's ed25519 signature over signingMessage of the unsigned commission transaction
 * {type: "commission", electionId, action, closesAt}, exactly as in the transaction.
 */
import { bytes, decodeWith, encodeWith, type Infer, oneOf, struct, uint } from "../codec/schema.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { type Ed25519KeyPair, SIGNATURE_LENGTH, verifySignature } from "../crypto/ed25519.ts";
import { SaylauError } from "../errors.ts";
import { MAX_COMMISSION_MEMBERS } from "../ledger/limits.ts";
import type { Manifest } from "../ledger/manifest.ts";
import {
  COMMISSION_ACTIONS,
  type CommissionTx,
  encodeTransaction,
  signCommission,
  signingMessage,
  type UnsignedTransaction,
} from "../ledger/transactions.ts";
import { commissionDecision } from "../ledger/tx-builders.ts";

export const SIGNATURE_FILE_VERSION = 1;

export const commissionSignatureFileCodec = struct({
  version: uint(SIGNATURE_FILE_VERSION),
  electionId: bytes(32),
  action: oneOf(COMMISSION_ACTIONS),
  closesAt: uint(),
  member: uint(MAX_COMMISSION_MEMBERS - 1),
  sig: bytes(SIGNATURE_LENGTH),
});
export type CommissionSignatureFile = Infer<typeof commissionSignatureFileCodec>;

/** The index of `publicKey` among the manifest's commission members, or an error. */
export function memberIndex(manifest: Manifest, publicKey: Uint8Array): number {
  const i = manifest.commission.members.findIndex((m) => bytesEqual(m.publicKey, publicKey));
  if (i < 0) {
    throw new SaylauError(
      "cli/not_a_member",
      `key ${toHex(publicKey)} is not a commission member of this manifest`,
    );
  }
  return i;
}

export function signDecision(
  manifest: Manifest,
  electionId: Uint8Array,
  member: Ed25519KeyPair,
  action: CommissionTx["action"],
  closesAt: number,
): Uint8Array {
  const index = memberIndex(manifest, member.publicKey);
  const { sig } = signCommission(
    commissionDecision(electionId, action, closesAt),
    index,
    member.seed,
  );
  return encodeWith(commissionSignatureFileCodec, {
    version: SIGNATURE_FILE_VERSION,
    electionId,
    action,
    closesAt,
    member: index,
    sig,
  });
}

export function decodeSignatureFile(bytes: Uint8Array, name: string): CommissionSignatureFile {
  try {
    return decodeWith(commissionSignatureFileCodec, bytes);
  } catch (err) {
    throw new SaylauError(
      "cli/bad_signature_file",
      `${name} is not a commission signature file (${(err as Error).message})`,
    );
  }
}

/**
 * The commission transaction from signature files: all over the same decision of this
 * election, each by a different member, each checked against that member's key, at least k.
 * Checking here turns a mistake into a clear message before anything is submitted.
 */
export function commissionTxFromSignatures(
  manifest: Manifest,
  electionId: Uint8Array,
  files: readonly { readonly name: string; readonly bytes: Uint8Array }[],
): { tx: Uint8Array; decision: UnsignedTransaction<CommissionTx>; members: number[] } {
  if (files.length === 0) throw new SaylauError("cli/usage", "no signature files given");
  const decoded = files.map((f) => ({ name: f.name, ...decodeSignatureFile(f.bytes, f.name) }));
  const first = decoded[0]!;
  const decision = commissionDecision(electionId, first.action, first.closesAt);
  const message = signingMessage(decision);
  const seen = new Set<number>();
  for (const d of decoded) {
    if (!bytesEqual(d.electionId, electionId)) {
      throw new SaylauError("cli/other_election", `${d.name} is for another election`);
    }
    if (d.action !== first.action || d.closesAt !== first.closesAt) {
      throw new SaylauError(
        "cli/different_decisions",
        `${d.name} signs "${d.action}" closing at ${new Date(d.closesAt).toISOString()}, ${first.name} signs "${first.action}" closing at ${new Date(first.closesAt).toISOString()}`,
      );
    }
    const member = manifest.commission.members[d.member];
    if (member === undefined || !verifySignature(member.publicKey, message, d.sig)) {
      throw new SaylauError(
        "ledger/bad_signature",
        `${d.name}: the signature is not commission member ${d.member}'s`,
      );
    }
    if (seen.has(d.member)) {
      throw new SaylauError("cli/duplicate_signer", `member ${d.member} signed twice`);
    }
    seen.add(d.member);
  }
  const k = manifest.commission.threshold;
  if (seen.size < k) {
    throw new SaylauError(
      "cli/too_few_signatures",
      `${seen.size} member signature(s); the commission needs ${k}`,
    );
  }
  const signatures = decoded
    .map((d) => ({ member: d.member, sig: d.sig }))
    .sort((a, b) => a.member - b.member);
  return {
    tx: encodeTransaction({ ...decision, signatures }),
    decision,
    members: signatures.map((s) => s.member),
  };
}
