/**
 * Opening a challenged ballot (Benaloh's cast-as-intended check): with each selection's
 * nonce r revealed, anyone holding the election's joint key K recomputes what the ballot
 * encrypts, without any trustee. For every selection, alpha must be r*G and beta - r*K must
 * be 0 or G: the choice is then 0 or 1. A ballot whose nonces were revealed is spoiled: it
 * must never be cast (the voter's device encrypts afresh).
 */
import { SaylauError } from "../errors.ts";
import type { BallotBody, Choices } from "./ballot.ts";
import type { ElectionContext } from "./context.ts";
import { decodePoint, decodeScalar, G, IDENTITY, mulPublic } from "./group.ts";

export function openBallot(
  ctx: ElectionContext,
  body: BallotBody,
  nonces: readonly (readonly Uint8Array[])[],
): Choices {
  const { K } = ctx.bases;
  if (nonces.length !== body.contests.length) {
    throw new SaylauError(
      "election/bad_challenge",
      `${nonces.length} rows of nonces for ${body.contests.length} contests`,
    );
  }
  return body.contests.map((contest, i) => {
    const row = nonces[i]!;
    if (row.length !== contest.selections.length) {
      throw new SaylauError(
        "election/bad_challenge",
        `contest ${i}: ${row.length} nonces for ${contest.selections.length} selections`,
        { contest: i },
      );
    }
    return contest.selections.map((sel, j) => {
      const field = `contests[${i}].selections[${j}]`;
      const r = decodeScalar(row[j]!, `nonces[${i}][${j}]`);
      const alpha = decodePoint(sel.alpha, `${field}.alpha`);
      const beta = decodePoint(sel.beta, `${field}.beta`);
      if (!mulPublic(G, r).equals(alpha)) {
        throw new SaylauError(
          "election/bad_challenge",
          `contest ${i} option ${j}: alpha is not r*G for the revealed nonce`,
          { contest: i, option: j },
        );
      }
      const m = beta.subtract(mulPublic(K, r));
      if (m.equals(IDENTITY)) return 0;
      if (m.equals(G)) return 1;
      throw new SaylauError(
        "election/bad_challenge",
        `contest ${i} option ${j}: beta - r*K is neither 0 nor G`,
        { contest: i, option: j },
      );
    });
  });
}
