/**
 * Where the key ceremony's files live (docs/ELECTION-CRYPTO.md, "Running the ceremony").
 *
 * A trustee's own directory (--dir), on its own machine; the key files are passphrase-
 * encrypted (keystore.ts) and mode 0600:
 *
 *   trustee.json      public: ceremonyId, index, threshold, trusteeCount, signing key
 *   signing.key       the ed25519 signing seed        (kind trustee-signing-key)
 *   polynomial.key    the secret polynomial, until finish deletes it (trustee-polynomial)
 *   share.key         z_l, the key share, after finish (trustee-share)
 *
 * The shared bulletin directory (--public), which holds only signed public messages:
 *
 *   announce-<i>.cbor       trustee i's signed announcement
 *   share-<i>-<l>.cbor      trustee i's signed encrypted share for trustee l
 *   verdict-<l>-<i>.cbor    trustee l's signed verdict on the share from trustee i
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bytes, decodeWith, encodeWith, struct, uint } from "../codec/schema.ts";
import { bytesEqual, fromHex, toHex } from "../crypto/bytes.ts";
import { type Ed25519KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import {
  type CeremonyParameters,
  decodeTrusteeSecret,
  type TrusteeSecret,
} from "../election/ceremony.ts";
import {
  decodeSignedAnnouncement,
  decodeSignedShare,
  decodeSignedVerdict,
  encodeTranscript,
  orderedPairs,
  TRANSCRIPT_VERSION,
} from "../election/ceremony-transcript.ts";
import { MAX_TRUSTEES } from "../election/description.ts";
import { SaylauError } from "../errors.ts";
import { readKeyFile } from "./keystore.ts";

export const TRUSTEE_FILES = {
  state: "trustee.json",
  signing: "signing.key",
  polynomial: "polynomial.key",
  share: "share.key",
} as const;

export const publicFile = {
  announcement: (i: number) => `announce-${i}.cbor`,
  share: (sender: number, recipient: number) => `share-${sender}-${recipient}.cbor`,
  verdict: (recipient: number, sender: number) => `verdict-${recipient}-${sender}.cbor`,
};

/** The plaintext of signing.key: the seed, bound to its ceremony and trustee. */
export const signingKeyCodec = struct({
  ceremonyId: bytes(32),
  index: uint(MAX_TRUSTEES),
  seed: bytes(32),
});

export interface TrusteeState extends CeremonyParameters {
  readonly index: number;
  readonly signingKey: Uint8Array;
}

export function writeTrusteeState(dir: string, state: TrusteeState): void {
  writeFileSync(
    join(dir, TRUSTEE_FILES.state),
    `${JSON.stringify(
      {
        ceremonyId: toHex(state.ceremonyId),
        index: state.index,
        threshold: state.threshold,
        trusteeCount: state.trusteeCount,
        signingKey: toHex(state.signingKey),
      },
      null,
      2,
    )}\n`,
  );
}

export function readTrusteeState(dir: string): TrusteeState {
  const path = join(dir, TRUSTEE_FILES.state);
  if (!existsSync(path)) {
    throw new SaylauError("cli/missing_file", `${path} does not exist: run trustee ceremony init`);
  }
  try {
    const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    return {
      ceremonyId: fromHex(String(raw.ceremonyId), 32),
      index: Number(raw.index),
      threshold: Number(raw.threshold),
      trusteeCount: Number(raw.trusteeCount),
      signingKey: fromHex(String(raw.signingKey), 32),
    };
  } catch {
    throw new SaylauError("cli/bad_file", `${path} is not a trustee state file`);
  }
}

function wrongTrustee(path: string, state: TrusteeState): SaylauError {
  return new SaylauError(
    "ceremony/wrong_trustee",
    `${path} belongs to another trustee or ceremony than trustee ${state.index} of ${toHex(state.ceremonyId)}`,
    { path },
  );
}

/** The trustee's signing key from signing.key, checked against trustee.json. */
export function readSigningKey(
  dir: string,
  state: TrusteeState,
  passphrase: string,
): Ed25519KeyPair {
  const path = join(dir, TRUSTEE_FILES.signing);
  const plain = decodeWith(signingKeyCodec, readKeyFile(path, "trustee-signing-key", passphrase));
  const pair = keyPairFromSeed(plain.seed);
  if (
    plain.index !== state.index ||
    !bytesEqual(plain.ceremonyId, state.ceremonyId) ||
    !bytesEqual(pair.publicKey, state.signingKey)
  ) {
    throw wrongTrustee(path, state);
  }
  return pair;
}

export function encodeSigningKey(state: TrusteeState, seed: Uint8Array): Uint8Array {
  return encodeWith(signingKeyCodec, { ceremonyId: state.ceremonyId, index: state.index, seed });
}

/**
 * What `saylau trustee decrypt` needs from a trustee's own directory once the ceremony is
 * over: its signing key and its key share z_l, both opened with the passphrase.
 */
export function loadTrusteeKeys(
  dir: string,
  passphrase: string,
): { signing: Ed25519KeyPair; secret: TrusteeSecret } {
  const state = readTrusteeState(dir);
  const signing = readSigningKey(dir, state, passphrase);
  const path = join(dir, TRUSTEE_FILES.share);
  if (!existsSync(path)) {
    throw new SaylauError(
      "cli/missing_file",
      `${path} does not exist: run trustee ceremony finish`,
    );
  }
  const secret = decodeTrusteeSecret(readKeyFile(path, "trustee-share", passphrase));
  if (secret.index !== state.index || !bytesEqual(secret.ceremonyId, state.ceremonyId)) {
    throw wrongTrustee(path, state);
  }
  return { signing, secret };
}

function readPublic(publicDir: string, name: string): Uint8Array {
  const path = join(publicDir, name);
  if (!existsSync(path)) {
    throw new SaylauError("ceremony/incomplete", `${path} is not published yet`, { missing: name });
  }
  return new Uint8Array(readFileSync(path));
}

export function readAnnouncement(publicDir: string, i: number) {
  return decodeSignedAnnouncement(readPublic(publicDir, publicFile.announcement(i)));
}
export function readShare(publicDir: string, sender: number, recipient: number) {
  return decodeSignedShare(readPublic(publicDir, publicFile.share(sender, recipient)));
}
export function readVerdict(publicDir: string, recipient: number, sender: number) {
  return decodeSignedVerdict(readPublic(publicDir, publicFile.verdict(recipient, sender)));
}

/**
 * The transcript from the bulletin's files alone, each file in the slot its name gives (so a
 * file in the wrong place is refused by the verifier as the wrong trustee's); the parameters
 * are announcement 1's. It checks nothing: run verifyCeremonyTranscript on the result.
 */
export function transcriptFromBulletin(publicDir: string): Uint8Array {
  const first = readAnnouncement(publicDir, 1);
  const parameters: CeremonyParameters = {
    ceremonyId: first.ceremonyId,
    threshold: first.payload.threshold,
    trusteeCount: first.payload.trusteeCount,
  };
  const n = parameters.trusteeCount;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TRUSTEES) {
    throw new SaylauError("ceremony/wrong_parameters", `announcement 1 says ${n} trustees`);
  }
  const pairs = orderedPairs(n);
  return encodeTranscript({
    version: TRANSCRIPT_VERSION,
    ...parameters,
    announcements: Array.from({ length: n }, (_, i) => readAnnouncement(publicDir, i + 1)),
    shares: pairs.map(([s, r]) => readShare(publicDir, s, r)),
    verdicts: pairs.map(([r, s]) => readVerdict(publicDir, r, s)),
  });
}
