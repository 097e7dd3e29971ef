/**
 * The public transcript of one key ceremony (docs/ELECTION-CRYPTO.md, "Ceremony transcript"):
 * every trustee's signed announcement (its ed25519 signing key and its TrusteePublic), every
 * signed EncryptedShare, and every recipient's signed verdict on each share addressed to it.
 * Each signed message is bound, under its own tagged hash, to the ceremonyId and to its
 * signer's index, so nothing can be moved between ceremonies, message kinds or trustees.
 *
 * `verifyCeremonyTranscript` checks all of it and yields the trustees' public keys, their
 * signing keys in index order and the joint key; `transcriptHash` is what the manifest names
 * as `ceremony`. Any complaint makes the transcript unacceptable (see `judgeVerdict`): the
 * ceremony has failed and is run again under a new ceremonyId.
 */
import {
  array,
  bytes,
  type Codec,
  decodeWith,
  encodeWith,
  type Infer,
  nullable,
  struct,
  uint,
} from "../codec/schema.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { type Ed25519KeyPair, isValidPublicKey, sign, verifySignature } from "../crypto/ed25519.ts";
import { type HashTag, TAG, taggedHash } from "../crypto/hash.ts";
import { isSaylauError, SaylauError } from "../errors.ts";
import {
  buildElectionDescription,
  type CeremonyParameters,
  type Complaint,
  dleqProofCodec,
  type EncryptedShare,
  encryptedShareCodec,
  verifyComplaint,
  verifyTrusteePublic,
} from "./ceremony.ts";
import {
  type Contest,
  type ElectionDescription,
  jointKeyOf,
  MAX_TRUSTEES,
  type TrusteePublic,
  trusteePublicCodec,
} from "./description.ts";
import { decodeNonIdentityPoint, encodePoint } from "./group.ts";

export const TRANSCRIPT_VERSION = 1;
const MAX_PAIRS = MAX_TRUSTEES * (MAX_TRUSTEES - 1);
/** 64 trustees make about 2.5 MB; leave room. */
const MAX_TRANSCRIPT_BYTES = 8 * 1024 * 1024;

function signed<P>(payload: Codec<P>) {
  return struct({
    ceremonyId: bytes(32),
    /** The signer's trustee index (1-based). */
    signer: uint(MAX_TRUSTEES),
    payload,
    /** ed25519 over H(tag of the kind, canonical CBOR of {ceremonyId, signer, payload}). */
    signature: bytes(64),
  });
}

export const announcementCodec = struct({
  threshold: uint(MAX_TRUSTEES),
  trusteeCount: uint(MAX_TRUSTEES),
  /** The trustee's ed25519 key: signs its ceremony messages and, later, its decryption. */
  signingKey: bytes(32),
  trustee: trusteePublicCodec,
});
export const verdictCodec = struct({
  /** The exact share judged, as its sender signed it. */
  share: encryptedShareCodec,
  /** null: accepted. Otherwise the complaint's evidence (ceremony.ts `Complaint` less `share`). */
  complaint: nullable(struct({ sharedSecret: bytes(32), proof: dleqProofCodec })),
});

export const signedAnnouncementCodec = signed(announcementCodec);
export const signedShareCodec = signed(encryptedShareCodec);
export const signedVerdictCodec = signed(verdictCodec);
export type SignedAnnouncement = Infer<typeof signedAnnouncementCodec>;
export type SignedShare = Infer<typeof signedShareCodec>;
export type SignedVerdict = Infer<typeof signedVerdictCodec>;

export const transcriptCodec = struct({
  version: uint(TRANSCRIPT_VERSION),
  ceremonyId: bytes(32),
  threshold: uint(MAX_TRUSTEES),
  trusteeCount: uint(MAX_TRUSTEES),
  /** One per trustee, in index order. */
  announcements: array(signedAnnouncementCodec, MAX_TRUSTEES),
  /** One per ordered pair (sender, recipient), sender != recipient, sorted by sender then recipient. */
  shares: array(signedShareCodec, MAX_PAIRS),
  /** One per ordered pair, sorted by recipient then sender; signed by the recipient. */
  verdicts: array(signedVerdictCodec, MAX_PAIRS),
});
export type CeremonyTranscript = Infer<typeof transcriptCodec>;

type Kind = "announcement" | "share" | "verdict";
const KIND_TAG: Record<Kind, HashTag> = {
  announcement: TAG.ceremonyAnnouncement,
  share: TAG.ceremonyShare,
  verdict: TAG.ceremonyVerdict,
};
const KIND_CODEC = {
  announcement: announcementCodec,
  share: encryptedShareCodec,
  verdict: verdictCodec,
} as const;
type PayloadOf<K extends Kind> = Infer<(typeof KIND_CODEC)[K]>;

function fail(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new SaylauError(`ceremony/${code}`, message, details);
}

/** The 32 bytes a signer signs: H(tag, canonical CBOR of {ceremonyId, signer, payload}). */
export function signedDigest<K extends Kind>(
  kind: K,
  ceremonyId: Uint8Array,
  signer: number,
  payload: PayloadOf<K>,
): Uint8Array {
  const body = struct({
    ceremonyId: bytes(32),
    signer: uint(MAX_TRUSTEES),
    payload: KIND_CODEC[kind] as unknown as Codec<PayloadOf<K>>,
  });
  return taggedHash(KIND_TAG[kind], encodeWith(body, { ceremonyId, signer, payload }));
}

function signMessage<K extends Kind>(
  kind: K,
  ceremonyId: Uint8Array,
  signer: number,
  signing: Ed25519KeyPair,
  payload: PayloadOf<K>,
) {
  return {
    ceremonyId: Uint8Array.from(ceremonyId),
    signer,
    payload,
    signature: sign(signing.seed, signedDigest(kind, ceremonyId, signer, payload)),
  };
}

export function signAnnouncement(
  params: CeremonyParameters,
  signing: Ed25519KeyPair,
  trustee: TrusteePublic,
): SignedAnnouncement {
  return signMessage("announcement", params.ceremonyId, trustee.index, signing, {
    threshold: params.threshold,
    trusteeCount: params.trusteeCount,
    signingKey: Uint8Array.from(signing.publicKey),
    trustee,
  });
}

export function signShare(signing: Ed25519KeyPair, share: EncryptedShare): SignedShare {
  return signMessage("share", share.ceremonyId, share.sender, signing, share);
}

/** The recipient's verdict on one share: `complaint` null accepts it. */
export function signVerdict(
  signing: Ed25519KeyPair,
  share: EncryptedShare,
  complaint: Complaint | null,
): SignedVerdict {
  return signMessage("verdict", share.ceremonyId, share.recipient, signing, {
    share,
    complaint:
      complaint === null ? null : { sharedSecret: complaint.sharedSecret, proof: complaint.proof },
  });
}

/**
 * The checks every signed message gets, in this order, each with its own code: the ceremony
 * (`other_ceremony`), the signer's index (`wrong_trustee`), the signature under that
 * trustee's announced key (`bad_signature`).
 */
function checkEnvelope<K extends Kind>(
  kind: K,
  message: { ceremonyId: Uint8Array; signer: number; payload: PayloadOf<K>; signature: Uint8Array },
  ceremonyId: Uint8Array,
  expectedSigner: number,
  signingKey: Uint8Array,
  what: string,
): void {
  if (!bytesEqual(message.ceremonyId, ceremonyId)) {
    fail("other_ceremony", `${what} belongs to ceremony ${toHex(message.ceremonyId)}`, {
      field: what,
    });
  }
  if (message.signer !== expectedSigner) {
    fail("wrong_trustee", `${what} is signed by trustee ${message.signer}, not ${expectedSigner}`, {
      field: what,
      signer: message.signer,
      expected: expectedSigner,
    });
  }
  const digest = signedDigest(kind, message.ceremonyId, message.signer, message.payload);
  if (!verifySignature(signingKey, digest, message.signature)) {
    fail("bad_signature", `${what}: the signature of trustee ${expectedSigner} does not verify`, {
      field: what,
      signer: expectedSigner,
    });
  }
}

/** Checks trustee `index`'s announcement; returns its signing key and TrusteePublic. */
export function checkAnnouncement(
  params: CeremonyParameters,
  index: number,
  message: SignedAnnouncement,
  what = `announcement of trustee ${index}`,
): { signingKey: Uint8Array; trustee: TrusteePublic } {
  signedAnnouncementCodec.check(message, what);
  const { payload } = message;
  // Self-signed: the key is the one it announces. Who holds it is settled outside (docs).
  checkEnvelope("announcement", message, params.ceremonyId, index, payload.signingKey, what);
  if (!isValidPublicKey(payload.signingKey)) {
    fail("bad_signature", `${what}: signing key is not a valid ed25519 key`, { field: what });
  }
  if (payload.trustee.index !== index) {
    fail("wrong_trustee", `${what} announces trustee ${payload.trustee.index}`, { field: what });
  }
  if (payload.threshold !== params.threshold || payload.trusteeCount !== params.trusteeCount) {
    fail(
      "wrong_parameters",
      `${what} is for ${payload.threshold} of ${payload.trusteeCount}, not ${params.threshold} of ${params.trusteeCount}`,
      { field: what },
    );
  }
  try {
    verifyTrusteePublic(params, payload.trustee);
  } catch (err) {
    if (!isSaylauError(err)) throw err;
    fail("bad_proof", `${what}: ${err.message}`, { field: what, cause: err.code });
  }
  return { signingKey: payload.signingKey, trustee: payload.trustee };
}

/** Checks the share `sender` sent `recipient`, signed with the sender's announced key. */
export function checkSignedShare(
  ceremonyId: Uint8Array,
  sender: number,
  recipient: number,
  senderKey: Uint8Array,
  message: SignedShare,
  what = `share ${sender} -> ${recipient}`,
): EncryptedShare {
  signedShareCodec.check(message, what);
  checkEnvelope("share", message, ceremonyId, sender, senderKey, what);
  const share = message.payload;
  if (!bytesEqual(share.ceremonyId, ceremonyId)) {
    fail("other_ceremony", `${what}: the share is for another ceremony`, { field: what });
  }
  if (share.sender !== sender || share.recipient !== recipient) {
    fail("wrong_trustee", `${what} carries the share ${share.sender} -> ${share.recipient}`, {
      field: what,
    });
  }
  return share;
}

/** Checks recipient's signed verdict on `share` (the one in the transcript, byte for byte). */
export function checkSignedVerdict(
  ceremonyId: Uint8Array,
  share: EncryptedShare,
  recipientKey: Uint8Array,
  message: SignedVerdict,
  what = `verdict of ${share.recipient} on ${share.sender}`,
): SignedVerdict["payload"] {
  signedVerdictCodec.check(message, what);
  checkEnvelope("verdict", message, ceremonyId, share.recipient, recipientKey, what);
  const judged = message.payload.share;
  if (
    !bytesEqual(encodeWith(encryptedShareCodec, judged), encodeWith(encryptedShareCodec, share))
  ) {
    fail("verdict_mismatch", `${what} judges another share than the one sent`, { field: what });
  }
  return message.payload;
}

/**
 * A complaint, justified or not, ends the ceremony: a justified one (`complaint_upheld`)
 * disqualifies the sender; an unjustified one (`complaint_rejected`) shows the recipient
 * refused a good share, and it has published S, which opens that share to everyone, so the
 * sender's polynomial is no longer t-of-n secret either way.
 */
function judgeVerdict(
  ceremonyId: Uint8Array,
  sender: TrusteePublic,
  recipient: TrusteePublic,
  verdict: SignedVerdict["payload"],
): void {
  if (verdict.complaint === null) return;
  let fault: string;
  try {
    fault = verifyComplaint(ceremonyId, sender, recipient, {
      share: verdict.share,
      sharedSecret: verdict.complaint.sharedSecret,
      proof: verdict.complaint.proof,
    });
  } catch (err) {
    if (!isSaylauError(err)) throw err;
    fail(
      "complaint_rejected",
      `trustee ${recipient.index}'s complaint against trustee ${sender.index} is unfounded (${err.message}); the ceremony failed: run it again under a new ceremonyId`,
      { sender: sender.index, recipient: recipient.index, cause: err.code },
    );
  }
  fail(
    "complaint_upheld",
    `trustee ${sender.index} sent trustee ${recipient.index} a bad share (${fault}); the ceremony failed: run it again under a new ceremonyId without trustee ${sender.index}`,
    { sender: sender.index, recipient: recipient.index, fault },
  );
}

/** Every ordered pair (a, b), a != b, sorted by a then b. */
export function orderedPairs(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 1; a <= n; a++) for (let b = 1; b <= n; b++) if (a !== b) out.push([a, b]);
  return out;
}

function checkParameters(t: CeremonyTranscript): void {
  if (t.version !== TRANSCRIPT_VERSION) fail("bad_version", `version ${t.version}`);
  if (t.trusteeCount < 1 || t.threshold < 1 || t.threshold > t.trusteeCount) {
    fail("wrong_parameters", `threshold ${t.threshold} of ${t.trusteeCount} trustees`);
  }
}

function incomplete(what: string, have: number, need: number): never {
  return fail("incomplete", `${what}: ${have} of ${need}`, { have, need });
}

export interface VerifiedCeremony {
  readonly parameters: CeremonyParameters;
  /** The trustees' public keys (commitments and proofs), in index order. */
  readonly trustees: readonly TrusteePublic[];
  /** The trustees' ed25519 signing keys, in index order. */
  readonly signingKeys: readonly Uint8Array[];
  /** K = sum_i C_i0. */
  readonly jointKey: Uint8Array;
  /** transcriptHash(bytes): the manifest's `ceremony`. */
  readonly hash: Uint8Array;
  /** The election description for these contests (buildElectionDescription). */
  description(contests: readonly Contest[]): ElectionDescription;
}

/** Checks every rule of a transcript (docs/ELECTION-CRYPTO.md); throws the first broken one. */
export function verifyCeremonyTranscript(encoded: Uint8Array): VerifiedCeremony {
  const t = decodeWith(transcriptCodec, encoded, MAX_TRANSCRIPT_BYTES);
  checkParameters(t);
  const params: CeremonyParameters = {
    ceremonyId: t.ceremonyId,
    threshold: t.threshold,
    trusteeCount: t.trusteeCount,
  };
  const n = t.trusteeCount;
  if (t.announcements.length !== n) incomplete("announcements", t.announcements.length, n);
  const announced = t.announcements.map((a, i) =>
    checkAnnouncement(params, i + 1, a, `announcements[${i}]`),
  );
  const seen = new Set<string>();
  announced.forEach((a, i) => {
    const key = toHex(a.signingKey);
    if (seen.has(key)) {
      fail("duplicate_key", `trustee ${i + 1} announces another trustee's signing key`);
    }
    seen.add(key);
  });

  const pairs = orderedPairs(n);
  if (t.shares.length !== pairs.length) incomplete("shares", t.shares.length, pairs.length);
  const shares = new Map<string, EncryptedShare>();
  pairs.forEach(([sender, recipient], k) => {
    const share = checkSignedShare(
      t.ceremonyId,
      sender,
      recipient,
      announced[sender - 1]!.signingKey,
      t.shares[k]!,
      `shares[${k}]`,
    );
    shares.set(`${sender}/${recipient}`, share);
  });

  if (t.verdicts.length !== pairs.length) incomplete("verdicts", t.verdicts.length, pairs.length);
  pairs.forEach(([recipient, sender], k) => {
    const share = shares.get(`${sender}/${recipient}`)!;
    const verdict = checkSignedVerdict(
      t.ceremonyId,
      share,
      announced[recipient - 1]!.signingKey,
      t.verdicts[k]!,
      `verdicts[${k}]`,
    );
    judgeVerdict(
      t.ceremonyId,
      announced[sender - 1]!.trustee,
      announced[recipient - 1]!.trustee,
      verdict,
    );
  });

  const trustees = announced.map((a) => a.trustee);
  const jointKey = encodePoint(
    jointKeyOf(
      trustees.map((tr, i) => [decodeNonIdentityPoint(tr.commitments[0]!, `C_${i + 1}0`)]),
    ),
  );
  return {
    parameters: params,
    trustees,
    signingKeys: announced.map((a) => a.signingKey),
    jointKey,
    hash: transcriptHash(encoded),
    description: (contests) =>
      buildElectionDescription({
        ceremonyId: t.ceremonyId,
        threshold: t.threshold,
        contests,
        trustees,
      }),
  };
}

/** H("saylau/v1/ceremony/transcript", transcript bytes): the manifest's `ceremony`. */
export function transcriptHash(encoded: Uint8Array): Uint8Array {
  return taggedHash(TAG.ceremonyTranscript, encoded);
}

export function decodeTranscript(encoded: Uint8Array): CeremonyTranscript {
  return decodeWith(transcriptCodec, encoded, MAX_TRANSCRIPT_BYTES);
}
export function encodeTranscript(t: CeremonyTranscript): Uint8Array {
  return encodeWith(transcriptCodec, t);
}
export function encodeSignedAnnouncement(message: SignedAnnouncement): Uint8Array {
  return encodeWith(signedAnnouncementCodec, message);
}
export function encodeSignedShare(message: SignedShare): Uint8Array {
  return encodeWith(signedShareCodec, message);
}
export function encodeSignedVerdict(message: SignedVerdict): Uint8Array {
  return encodeWith(signedVerdictCodec, message);
}
export function decodeSignedAnnouncement(encoded: Uint8Array): SignedAnnouncement {
  return decodeWith(signedAnnouncementCodec, encoded);
}
export function decodeSignedShare(encoded: Uint8Array): SignedShare {
  return decodeWith(signedShareCodec, encoded);
}
export function decodeSignedVerdict(encoded: Uint8Array): SignedVerdict {
  return decodeWith(signedVerdictCodec, encoded);
}
