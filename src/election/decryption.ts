/**
 * Threshold decryption of the tally. Trustee l holds z_l with public V_l = z_l*G. For every
 * tally ciphertext (A, B) it publishes M_l = z_l*A with a Chaum-Pedersen proof that
 * log_G(V_l) = log_A(M_l). Any t shares from distinct trustees combine by Lagrange
 * interpolation at 0: M = sum w_l*M_l = s*A with s the joint secret, so B - M = count*G, and
 * the count is recovered by bounded baby-step giant-step.
 */
import { array, bytes, decodeWith, encodeWith, type Infer, struct, uint } from "../codec/schema.ts";
import { bytesEqual, concatBytes } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import type { TrusteeSecret } from "./ceremony.ts";
import type { ElectionContext } from "./context.ts";
import { MAX_CONTESTS, MAX_OPTIONS, MAX_TRUSTEES } from "./description.ts";
import { proveDleq, verifyDleq } from "./dleq.ts";
import { boundedDiscreteLogs } from "./dlog.ts";
import {
  decodePoint,
  decodeScalar,
  encodePoint,
  encodePublicPoint,
  msmPublic,
  mulSecret,
  type Point,
} from "./group.ts";
import { DST, u32be } from "./hash-to-scalar.ts";
import { lagrangeAtZero } from "./polynomial.ts";
import { type Rng, systemRng } from "./rng.ts";
import { type EncryptedTally, tallyHash } from "./tally.ts";

export const partialDecryptionCodec = struct({
  /** M_l = z_l*A */
  share: bytes(32),
  /** Chaum-Pedersen commitments u*G, u*A and response u + c*z_l. */
  a: bytes(32),
  b: bytes(32),
  v: bytes(32),
});

export const decryptionShareCodec = struct({
  trustee: uint(MAX_TRUSTEES),
  /** tallyHash of the tally this share decrypts. */
  tallyHash: bytes(32),
  contests: array(array(partialDecryptionCodec, MAX_OPTIONS, 1), MAX_CONTESTS, 1),
});
export type DecryptionShare = Infer<typeof decryptionShareCodec>;

/**
 * Challenge message (the proof appends a || b): electionId (32) || u32be(trustee) ||
 * u32be(contest) || u32be(option) || A (32) || B (32) || V_l (32) || M_l (32).
 */
function decryptionStatement(
  ctx: ElectionContext,
  trustee: number,
  contest: number,
  option: number,
  alphaBytes: Uint8Array,
  betaBytes: Uint8Array,
  verificationKeyBytes: Uint8Array,
  shareBytes: Uint8Array,
): Uint8Array {
  return concatBytes(
    ctx.electionId,
    u32be(trustee),
    u32be(ctx.contestNumbers[contest]!),
    u32be(option),
    alphaBytes,
    betaBytes,
    verificationKeyBytes,
    shareBytes,
  );
}

function encodedTally(tally: EncryptedTally): { alpha: Uint8Array; beta: Uint8Array }[][] {
  return tally.contests.map((row) =>
    row.map((ct) => ({ alpha: encodePublicPoint(ct.alpha), beta: encodePublicPoint(ct.beta) })),
  );
}

export function partialDecrypt(
  ctx: ElectionContext,
  trusteeSecret: TrusteeSecret,
  tally: EncryptedTally,
  rng: Rng = systemRng,
): DecryptionShare {
  const z = decodeScalar(trusteeSecret.share, "trusteeSecret.share");
  const V = ctx.verificationKey(trusteeSecret.index);
  if (
    !bytesEqual(trusteeSecret.ceremonyId, ctx.description.ceremonyId) ||
    !mulSecret(ctx.bases.G, z).equals(V)
  ) {
    throw new SaylauError(
      "election/bad_trustee_secret",
      `this secret is not trustee ${trusteeSecret.index}'s share of this election's key`,
    );
  }
  const vBytes = encodePoint(V);
  const cts = encodedTally(tally);
  return {
    trustee: trusteeSecret.index,
    tallyHash: tallyHash(tally),
    contests: tally.contests.map((row, i) =>
      row.map((ct, j) => {
        const share = encodePoint(mulSecret(ct.alpha, z));
        const message = decryptionStatement(
          ctx,
          trusteeSecret.index,
          i,
          j,
          cts[i]![j]!.alpha,
          cts[i]![j]!.beta,
          vBytes,
          share,
        );
        return { share, ...proveDleq(DST.decryptionProof, message, ctx.bases.G, ct.alpha, z, rng) };
      }),
    ),
  };
}

/** Checks a share against the tally and the trustee's verification key; throws typed errors. */
export function verifyDecryptionShare(
  ctx: ElectionContext,
  tally: EncryptedTally,
  share: DecryptionShare,
): void {
  decryptionShareCodec.check(share, "share");
  const V = ctx.verificationKey(share.trustee);
  if (!bytesEqual(share.tallyHash, tallyHash(tally))) {
    throw new SaylauError(
      "election/bad_decryption_share",
      `trustee ${share.trustee}'s share is for another tally`,
      { trustee: share.trustee },
    );
  }
  const shapeOk =
    share.contests.length === tally.contests.length &&
    share.contests.every((row, i) => row.length === tally.contests[i]!.length);
  if (!shapeOk) {
    throw new SaylauError("election/wrong_shape", "share does not match the tally's shape", {
      trustee: share.trustee,
    });
  }
  const vBytes = encodePublicPoint(V);
  const cts = encodedTally(tally);
  share.contests.forEach((row, i) => {
    row.forEach((part, j) => {
      const field = `contests[${i}][${j}]`;
      const M = decodePoint(part.share, `${field}.share`);
      const ct = tally.contests[i]![j]!;
      const message = decryptionStatement(
        ctx,
        share.trustee,
        i,
        j,
        cts[i]![j]!.alpha,
        cts[i]![j]!.beta,
        vBytes,
        part.share,
      );
      if (!verifyDleq(DST.decryptionProof, message, ctx.bases.G, V, ct.alpha, M, part, field)) {
        throw new SaylauError(
          "election/bad_decryption_share",
          `trustee ${share.trustee}: proof for contest ${i} option ${j} does not verify`,
          { trustee: share.trustee, contest: i, option: j },
        );
      }
    });
  });
}

/**
 * Verifies the shares, takes the t with the lowest trustee indices, and returns the plain
 * count for every contest and option. Fewer than t distinct trustees:
 * `election/not_enough_shares`. Counts above maxCount: `election/count_out_of_range`.
 */
export function combineShares(
  ctx: ElectionContext,
  tally: EncryptedTally,
  shares: readonly DecryptionShare[],
  maxCount: number,
): number[][] {
  for (const share of shares) verifyDecryptionShare(ctx, tally, share);
  return combineVerifiedShares(ctx, tally, shares, maxCount);
}

/**
 * combineShares without verifying the shares: for a caller that has already verified every
 * one of them against this very tally (the ledger verifies each share as it applies it, and
 * the tally cannot change once the polls close). Verifying them again was half of a
 * validator's decryption work (BENCHMARKS.md, "The trustees' work").
 */
export function combineVerifiedShares(
  ctx: ElectionContext,
  tally: EncryptedTally,
  shares: readonly DecryptionShare[],
  maxCount: number,
): number[][] {
  const byTrustee = new Map<number, DecryptionShare>();
  for (const share of shares) byTrustee.set(share.trustee, share);
  if (byTrustee.size < ctx.threshold) {
    throw new SaylauError(
      "election/not_enough_shares",
      `${byTrustee.size} trustees' shares, ${ctx.threshold} needed`,
      { have: byTrustee.size, need: ctx.threshold },
    );
  }
  const chosen = [...byTrustee.keys()].sort((a, b) => a - b).slice(0, ctx.threshold);
  const weights = lagrangeAtZero(chosen);
  const targets: Point[] = [];
  tally.contests.forEach((row, i) => {
    row.forEach((ct, j) => {
      const parts = chosen.map((trustee) =>
        decodePoint(byTrustee.get(trustee)!.contests[i]![j]!.share, "share"),
      );
      targets.push(ct.beta.subtract(msmPublic(parts, weights)));
    });
  });
  const counts = boundedDiscreteLogs(targets, maxCount);
  let next = 0;
  return tally.contests.map((row) => row.map(() => counts[next++]!));
}

export function encodeDecryptionShare(share: DecryptionShare): Uint8Array {
  return encodeWith(decryptionShareCodec, share);
}

export function decodeDecryptionShare(encoded: Uint8Array): DecryptionShare {
  const share = decodeWith(decryptionShareCodec, encoded);
  share.contests.forEach((row, i) => {
    row.forEach((part, j) => {
      const field = `contests[${i}][${j}]`;
      decodePoint(part.share, `${field}.share`);
      decodePoint(part.a, `${field}.a`);
      decodePoint(part.b, `${field}.b`);
      decodeScalar(part.v, `${field}.v`);
    });
  });
  return share;
}
