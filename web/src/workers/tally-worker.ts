/**
 * Checks the published results off the page's main thread, district by district: every
 * trustee's decryption share of the district's encrypted tally is verified (its
 * Chaum-Pedersen proofs) and the shares are combined into counts, by src/election's
 * combineShares in the district's ballot style (ledgerContext(...).districtCrypto), the
 * check the node and the auditor run. The page compares the counts with what the node says.
 */
import { fromHex } from "../../../src/crypto/bytes.ts";
import { combineShares, decodeDecryptionShare } from "../../../src/election/decryption.ts";
import { decodeTally } from "../../../src/election/tally.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { ledgerContext } from "../../../src/ledger/context.ts";

export interface TallyJob {
  readonly manifest: string;
  /** The decrypted districts: each one's encrypted tally and the shares in the ledger. */
  readonly districts: {
    readonly index: number;
    readonly tally: string;
    readonly shares: string[];
  }[];
}

export type TallyAnswer =
  | {
      readonly ok: true;
      /** District index → counts per contest of its style, per option. */
      readonly counts: Record<number, number[][]>;
      /** Shares verified, over all districts. */
      readonly shares: number;
      readonly ms: number;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

self.onmessage = (event: MessageEvent<TallyJob>) => {
  const started = performance.now();
  let answer: TallyAnswer;
  try {
    const ctx = ledgerContext(fromHex(event.data.manifest));
    const counts: Record<number, number[][]> = {};
    let verified = 0;
    for (const d of event.data.districts) {
      const crypto = ctx.districtCrypto[d.index]!;
      const tally = decodeTally(crypto, fromHex(d.tally));
      const shares = d.shares.map((s) => decodeDecryptionShare(fromHex(s)));
      // A district without a counted ballot is decided at the close with all-zero counts
      // and nothing to decrypt (src/ledger/schedule.ts advanceClock).
      counts[d.index] =
        tally.ballotCount === 0 && shares.length === 0
          ? crypto.shapes.map((s) => new Array<number>(s.options).fill(0))
          : combineShares(crypto, tally, shares, tally.ballotCount);
      verified += shares.length;
    }
    answer = { ok: true, counts, shares: verified, ms: performance.now() - started };
  } catch (err) {
    answer = isSaylauError(err)
      ? { ok: false, code: err.code, message: err.message }
      : { ok: false, code: "web/worker", message: String(err) };
  }
  (self as unknown as { postMessage(a: TallyAnswer): void }).postMessage(answer);
};
