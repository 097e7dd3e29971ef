/**
 * The key ceremony's steps, one trustee per machine (docs/ELECTION-CRYPTO.md, "Running the
 * ceremony"): each reads the trustee's own directory and the bulletin's public files, and
 * writes only signed public messages to the bulletin; secrets stay in the trustee's
 * directory, encrypted with its passphrase (ceremony-files.ts lists the files). The command
 * line around them is commands/trustee-ceremony.ts.
 *
 * Order: every trustee runs init; then every trustee runs shares; then verify; then finish
 * (which checks the whole transcript first, so no trustee keeps a key share from a ceremony
 * that failed).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toHex } from "../crypto/bytes.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import {
  type CeremonyParameters,
  decodeTrusteePolynomial,
  encodeTrusteePolynomial,
  encodeTrusteeSecret,
  encryptShare,
  finishKeyCeremony,
  openShare,
  type ShareFault,
  startKeyCeremony,
  type TrusteePolynomial,
} from "../election/ceremony.ts";
import {
  checkAnnouncement,
  checkSignedShare,
  encodeSignedAnnouncement,
  encodeSignedShare,
  encodeSignedVerdict,
  signAnnouncement,
  signShare,
  signVerdict,
  type VerifiedCeremony,
  verifyCeremonyTranscript,
} from "../election/ceremony-transcript.ts";
import type { TrusteePublic } from "../election/description.ts";
import { decodeScalar, encodePoint, G, mulSecret } from "../election/group.ts";
import { type Rng, systemRng } from "../election/rng.ts";
import { SaylauError } from "../errors.ts";
import {
  encodeSigningKey,
  publicFile,
  readAnnouncement,
  readShare,
  readSigningKey,
  readTrusteeState,
  TRUSTEE_FILES,
  type TrusteeState,
  transcriptFromBulletin,
  writeTrusteeState,
} from "./ceremony-files.ts";
import { readKeyFile, writeKeyFile } from "./keystore.ts";

export interface StepInput {
  readonly dir: string;
  readonly publicDir: string;
  readonly passphrase: string;
  readonly rng?: Rng;
}

export interface InitInput extends StepInput {
  readonly index: number;
  readonly ceremonyId: Uint8Array;
  readonly threshold: number;
  readonly trusteeCount: number;
}

function writePublic(publicDir: string, name: string, content: Uint8Array): void {
  mkdirSync(publicDir, { recursive: true });
  writeFileSync(join(publicDir, name), content);
}

/** Step 1: signing key and polynomial, encrypted at rest; the announcement, published. */
export function ceremonyInit(input: InitInput): { signingKey: Uint8Array } {
  const { dir, publicDir, passphrase, index } = input;
  const rng = input.rng ?? systemRng;
  if (existsSync(join(dir, TRUSTEE_FILES.state))) {
    throw new SaylauError(
      "cli/exists",
      `${dir} already holds a trustee; choose an empty directory`,
    );
  }
  const params: CeremonyParameters = {
    ceremonyId: input.ceremonyId,
    threshold: input.threshold,
    trusteeCount: input.trusteeCount,
  };
  const started = startKeyCeremony(params, index, rng);
  const signing = keyPairFromSeed(rng(32));
  const state: TrusteeState = { ...params, index, signingKey: signing.publicKey };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeKeyFile(
    join(dir, TRUSTEE_FILES.signing),
    "trustee-signing-key",
    encodeSigningKey(state, signing.seed),
    passphrase,
  );
  writeKeyFile(
    join(dir, TRUSTEE_FILES.polynomial),
    "trustee-polynomial",
    encodeTrusteePolynomial(started.polynomial),
    passphrase,
  );
  writeTrusteeState(dir, state);
  const announcement = signAnnouncement(params, signing, started.public);
  writePublic(publicDir, publicFile.announcement(index), encodeSignedAnnouncement(announcement));
  return { signingKey: signing.publicKey };
}

function readPolynomial(dir: string, state: TrusteeState, passphrase: string): TrusteePolynomial {
  const path = join(dir, TRUSTEE_FILES.polynomial);
  if (!existsSync(path)) {
    throw new SaylauError(
      "cli/missing_file",
      `${path} does not exist: the ceremony is finished (or init was not run)`,
    );
  }
  const polynomial = decodeTrusteePolynomial(readKeyFile(path, "trustee-polynomial", passphrase));
  if (
    polynomial.index !== state.index ||
    toHex(polynomial.ceremonyId) !== toHex(state.ceremonyId)
  ) {
    throw new SaylauError("ceremony/wrong_trustee", `${path} belongs to another trustee`);
  }
  return polynomial;
}

/** Every trustee's checked announcement (signing key and public), this one's included. */
function announcements(
  publicDir: string,
  state: TrusteeState,
): { signingKey: Uint8Array; trustee: TrusteePublic }[] {
  const all = Array.from({ length: state.trusteeCount }, (_, i) =>
    checkAnnouncement(state, i + 1, readAnnouncement(publicDir, i + 1)),
  );
  if (toHex(all[state.index - 1]!.signingKey) !== toHex(state.signingKey)) {
    throw new SaylauError(
      "ceremony/wrong_trustee",
      `the bulletin's announcement of trustee ${state.index} is not this trustee's`,
    );
  }
  return all;
}

function others(state: TrusteeState): number[] {
  return Array.from({ length: state.trusteeCount }, (_, i) => i + 1).filter(
    (i) => i !== state.index,
  );
}

function openStep(input: StepInput) {
  const state = readTrusteeState(input.dir);
  const signing = readSigningKey(input.dir, state, input.passphrase);
  const polynomial = readPolynomial(input.dir, state, input.passphrase);
  return { state, signing, polynomial, announced: announcements(input.publicDir, state) };
}

/** Step 2: one encrypted, signed share for each other trustee. */
export function ceremonyShares(input: StepInput): { recipients: number[] } {
  const { state, signing, polynomial, announced } = openStep(input);
  const recipients = others(state);
  // Fresh shares would no longer match verdicts already given on the first ones.
  const sent = recipients.filter((l) =>
    existsSync(join(input.publicDir, publicFile.share(state.index, l))),
  );
  if (sent.length > 0) {
    throw new SaylauError(
      "cli/exists",
      `trustee ${state.index} already published shares for ${sent.join(", ")}`,
    );
  }
  for (const l of recipients) {
    const share = encryptShare(polynomial, announced[l - 1]!.trustee, input.rng ?? systemRng);
    writePublic(
      input.publicDir,
      publicFile.share(state.index, l),
      encodeSignedShare(signShare(signing, share)),
    );
  }
  return { recipients };
}

type Opened = ReturnType<typeof openShare>;

function openAll(
  input: StepInput,
  opened: ReturnType<typeof openStep>,
): { sender: number; result: Opened; share: ReturnType<typeof checkSignedShare> }[] {
  const { state, polynomial, announced } = opened;
  return others(state).map((i) => {
    const share = checkSignedShare(
      state.ceremonyId,
      i,
      state.index,
      announced[i - 1]!.signingKey,
      readShare(input.publicDir, i, state.index),
    );
    const result = openShare(
      polynomial,
      announced[i - 1]!.trustee,
      announced[state.index - 1]!.trustee,
      share,
      input.rng ?? systemRng,
    );
    return { sender: i, result, share };
  });
}

/** Step 3: opens every share addressed here; publishes a signed accept or complaint on each. */
export function ceremonyVerify(input: StepInput): {
  accepted: number[];
  complaints: { sender: number; fault: ShareFault }[];
} {
  const opened = openStep(input);
  const accepted: number[] = [];
  const complaints: { sender: number; fault: ShareFault }[] = [];
  for (const { sender, result, share } of openAll(input, opened)) {
    const verdict = signVerdict(opened.signing, share, result.ok ? null : result.complaint);
    if (result.ok) accepted.push(sender);
    else complaints.push({ sender, fault: result.fault });
    writePublic(
      input.publicDir,
      publicFile.verdict(opened.state.index, sender),
      encodeSignedVerdict(verdict),
    );
  }
  return { accepted, complaints };
}

/**
 * Step 4: only once the whole transcript verifies (every share accepted by its recipient),
 * z_l = P_l(l) + sum of the shares received, stored encrypted; the polynomial is deleted.
 */
export function ceremonyFinish(input: StepInput): {
  ceremony: VerifiedCeremony;
  verificationKey: Uint8Array;
} {
  const opened = openStep(input);
  const ceremony = verifyCeremonyTranscript(transcriptFromBulletin(input.publicDir));
  if (toHex(ceremony.parameters.ceremonyId) !== toHex(opened.state.ceremonyId)) {
    throw new SaylauError("ceremony/other_ceremony", "the bulletin holds another ceremony");
  }
  const values = openAll(input, opened).map(({ sender, result }) => {
    if (!result.ok) {
      throw new SaylauError(
        "ceremony/complaint_upheld",
        `the share from trustee ${sender} is bad (${result.fault}) though the transcript says accepted`,
      );
    }
    return { sender, value: result.value };
  });
  const secret = finishKeyCeremony(opened.polynomial, values);
  writeKeyFile(
    join(input.dir, TRUSTEE_FILES.share),
    "trustee-share",
    encodeTrusteeSecret(secret),
    input.passphrase,
  );
  // Deleting unlinks the file; it is not a secure erase on every file system (docs).
  rmSync(join(input.dir, TRUSTEE_FILES.polynomial));
  const verificationKey = encodePoint(mulSecret(G, decodeScalar(secret.share, "share")));
  return { ceremony, verificationKey };
}

/** The coordinator: the transcript from public files, verified, written to `out`. */
export function ceremonyAssemble(publicDir: string, out: string): VerifiedCeremony {
  const transcript = transcriptFromBulletin(publicDir);
  const ceremony = verifyCeremonyTranscript(transcript);
  writeFileSync(out, transcript);
  return ceremony;
}
