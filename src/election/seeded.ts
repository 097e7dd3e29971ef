/**
 * A whole key ceremony run in one process from one seed: for test vectors, property tests and
 * the seeded demo. It goes through exactly the public ceremony functions (dealing, encrypted
 * share exchange, checks, finishing), only the message passing is a loop.
 */
import { concatBytes, utf8 } from "../crypto/bytes.ts";
import type { Ed25519KeyPair } from "../crypto/ed25519.ts";
import { sha256 } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";
import {
  buildElectionDescription,
  encryptShare,
  finishKeyCeremony,
  openShare,
  startKeyCeremony,
  type TrusteePolynomial,
  type TrusteeSecret,
} from "./ceremony.ts";
import {
  encodeTranscript,
  orderedPairs,
  type SignedShare,
  type SignedVerdict,
  signAnnouncement,
  signShare,
  signVerdict,
  TRANSCRIPT_VERSION,
} from "./ceremony-transcript.ts";
import type { Contest, ElectionDescription, TrusteePublic } from "./description.ts";
import { seededRng } from "./rng.ts";

export interface SeededElectionInput {
  readonly seed: Uint8Array;
  readonly contests: readonly Contest[];
  readonly threshold: number;
  readonly trusteeCount: number;
  /** The trustees' signing keys, by index - 1: given, the ceremony's signed transcript is made too. */
  readonly signingKeys?: readonly Ed25519KeyPair[];
}

export interface SeededElection {
  readonly description: ElectionDescription;
  readonly polynomials: readonly TrusteePolynomial[];
  readonly publics: readonly TrusteePublic[];
  readonly secrets: readonly TrusteeSecret[];
  /** The ceremony's public transcript (ceremony-transcript.ts), when signing keys were given. */
  readonly transcript?: Uint8Array;
}

export function seededElection(input: SeededElectionInput): SeededElection {
  const { seed, threshold, trusteeCount } = input;
  const ceremonyId = sha256(concatBytes(utf8("saylau/v1/election/seeded-ceremony"), seed));
  const params = { ceremonyId, threshold, trusteeCount };
  const trustees = Array.from({ length: trusteeCount }, (_, i) =>
    startKeyCeremony(params, i + 1, seededRng(concatBytes(seed, utf8(`/trustee/${i + 1}`)))),
  );
  const publics = trustees.map((t) => t.public);
  const signing = input.signingKeys;
  const signedShares = new Map<string, SignedShare>();
  const signedVerdicts = new Map<string, SignedVerdict>();
  const secrets = trustees.map((recipient, l) => {
    const opened = trustees
      .filter((_, i) => i !== l)
      .map((sender) => {
        const rng = seededRng(
          concatBytes(seed, utf8(`/share/${sender.public.index}/${recipient.public.index}`)),
        );
        const share = encryptShare(sender.polynomial, recipient.public, rng);
        const pair = `${sender.public.index}/${recipient.public.index}`;
        if (signing !== undefined) {
          signedShares.set(pair, signShare(signing[sender.public.index - 1]!, share));
          signedVerdicts.set(pair, signVerdict(signing[recipient.public.index - 1]!, share, null));
        }
        const result = openShare(recipient.polynomial, sender.public, recipient.public, share, rng);
        if (!result.ok) {
          throw new SaylauError("election/bad_share", `seeded ceremony: ${result.fault}`);
        }
        return { sender: result.sender, value: result.value };
      });
    return finishKeyCeremony(recipient.polynomial, opened);
  });
  const description = buildElectionDescription({
    ceremonyId,
    threshold,
    contests: input.contests,
    trustees: publics,
  });
  const polynomials = trustees.map((t) => t.polynomial);
  if (signing === undefined) return { description, polynomials, publics, secrets };
  const pairs = orderedPairs(trusteeCount);
  const transcript = encodeTranscript({
    version: TRANSCRIPT_VERSION,
    ceremonyId,
    threshold,
    trusteeCount,
    announcements: publics.map((p, i) => signAnnouncement(params, signing[i]!, p)),
    shares: pairs.map(([sender, recipient]) => signedShares.get(`${sender}/${recipient}`)!),
    verdicts: pairs.map(([recipient, sender]) => signedVerdicts.get(`${sender}/${recipient}`)!),
  });
  return { description, polynomials, publics, secrets, transcript };
}
