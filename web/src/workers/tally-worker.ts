/**
 * Checks the published result off the page's main thread: every trustee's decryption
 * share is verified against the encrypted tally (its Chaum-Pedersen proofs) and the
 * shares are combined into counts, by src/election's combineShares, the check the node and
 * the auditor run. The page compares the counts with what the node reports.
 */
import { fromHex } from "../../../src/crypto/bytes.ts";
import { combineShares, decodeDecryptionShare } from "../../../src/election/decryption.ts";
import { decodeTally } from "../../../src/election/tally.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { ledgerContext } from "../../../src/ledger/context.ts";

export interface TallyJob {
  readonly manifest: string;
  readonly tally: string;
  readonly shares: string[];
}

export type TallyAnswer =
  | { readonly ok: true; readonly counts: number[][]; readonly shares: number; readonly ms: number }
  | { readonly ok: false; readonly code: string; readonly message: string };

self.onmessage = (event: MessageEvent<TallyJob>) => {
  const started = performance.now();
  let answer: TallyAnswer;
  try {
    const { crypto } = ledgerContext(fromHex(event.data.manifest));
    const tally = decodeTally(crypto, fromHex(event.data.tally));
    const shares = event.data.shares.map((s) => decodeDecryptionShare(fromHex(s)));
    const counts = combineShares(crypto, tally, shares, tally.ballotCount);
    answer = { ok: true, counts, shares: shares.length, ms: performance.now() - started };
  } catch (err) {
    answer = isSaylauError(err)
      ? { ok: false, code: err.code, message: err.message }
      : { ok: false, code: "web/worker", message: String(err) };
  }
  (self as unknown as { postMessage(a: TallyAnswer): void }).postMessage(answer);
};
