/**
 * Builds the checked-in deterministic vectors (ceremony.json, ballot.json, tally.json) from
 * fixed seeds. `generate.ts` writes them; vectors.test.ts rebuilds them and requires the very
 * same bytes, and also checks the stored bytes on their own, as a second implementation would.
 */
import { concatBytes, toHex, utf8 } from "../../../../src/crypto/bytes.ts";
import { sha256 } from "../../../../src/crypto/hash.ts";
import { selectionStatement } from "../../../../src/election/ballot.ts";
import { encodePoint } from "../../../../src/election/group.ts";
import {
  addBallot,
  emptyTally,
  encodeBallot,
  encodeDecryptionShare,
  encodeElectionDescription,
  encodeTally,
  encodeTrusteeSecret,
  encryptBallot,
  partialDecrypt,
  prepareElection,
  seededElection,
  seededRng,
  tallyHash,
  trackingCode,
} from "../../../../src/election/index.ts";
import { rangeChallenge } from "../../../../src/election/range-proof.ts";

export const VECTOR_SEED = sha256(utf8("saylau election vectors v1"));
export const VECTOR_ELECTION_ID = sha256(utf8("saylau election vectors v1 / election id"));
export const VECTOR_CONTESTS = [
  { label: "mayor", options: ["ana", "bolat", "celik"], limit: 1 },
  { label: "council", options: ["dana", "erlan", "farida"], limit: 2 },
];
export const VECTOR_CHOICES = [
  [
    [0, 1, 0],
    [1, 0, 1],
  ],
  [
    [1, 0, 0],
    [0, 0, 1],
  ],
  [
    [0, 0, 0],
    [0, 0, 0],
  ],
];

function credentialOf(i: number): Uint8Array {
  return sha256(concatBytes(utf8("credential"), new Uint8Array([i])));
}

export function buildVectors() {
  const election = seededElection({
    seed: VECTOR_SEED,
    contests: VECTOR_CONTESTS,
    threshold: 2,
    trusteeCount: 3,
  });
  const ctx = prepareElection(election.description, VECTOR_ELECTION_ID);
  const ceremony = {
    seed: toHex(VECTOR_SEED),
    electionId: toHex(VECTOR_ELECTION_ID),
    threshold: 2,
    trusteeCount: 3,
    description: toHex(encodeElectionDescription(election.description)),
    jointKey: toHex(election.description.jointKey),
    trustees: election.secrets.map((s) => ({
      index: s.index,
      secret: toHex(encodeTrusteeSecret(s)),
      verificationKey: toHex(encodePoint(ctx.verificationKey(s.index))),
    })),
  };

  const ballots = VECTOR_CHOICES.map((choices, i) => {
    const credential = credentialOf(i);
    const rngSeed = sha256(concatBytes(utf8("ballot rng"), new Uint8Array([i])));
    const body = encryptBallot(ctx, credential, choices, seededRng(rngSeed));
    const bodyBytes = encodeBallot(body);
    return { credential, choices, rngSeed, body, bodyBytes };
  });
  const first = ballots[0]!;
  const sel = first.body.contests[0]!.selections[0]!;
  const statement = selectionStatement(ctx, first.credential, 0, 0, sel.alpha, sel.beta);
  const ballot = {
    credential: toHex(first.credential),
    choices: first.choices,
    rngSeed: toHex(first.rngSeed),
    body: toHex(first.bodyBytes),
    ballotId: toHex(sha256(concatBytes(new Uint8Array([0]), first.bodyBytes))),
    trackingCodeOfBallotId: trackingCode(sha256(concatBytes(new Uint8Array([0]), first.bodyBytes))),
    // The Fiat-Shamir input of contest 0 option 0, spelled out for a second implementation.
    selection00: {
      dst: statement.dst,
      message: toHex(
        concatBytes(
          statement.context,
          sel.alpha,
          sel.beta,
          ...sel.proof.flatMap((br) => [br.a, br.b]),
        ),
      ),
      challenge: rangeChallenge(statement, sel.proof).toString(16),
    },
  };

  let tally = emptyTally(ctx);
  for (const b of ballots) tally = addBallot(ctx, tally, b.body);
  const shareRng = seededRng(sha256(utf8("decryption shares")));
  const shares = election.secrets.map((s) => partialDecrypt(ctx, s, tally, shareRng));
  const tallyVector = {
    ballots: ballots.map((b) => ({
      credential: toHex(b.credential),
      choices: b.choices,
      body: toHex(b.bodyBytes),
    })),
    tally: toHex(encodeTally(tally)),
    tallyHash: toHex(tallyHash(tally)),
    shares: shares.map((s) => toHex(encodeDecryptionShare(s))),
    counts: VECTOR_CONTESTS.map((c, i) =>
      c.options.map((_, j) => VECTOR_CHOICES.reduce((acc, ch) => acc + ch[i]![j]!, 0)),
    ),
  };
  return { ceremony, ballot, tally: tallyVector };
}
