/**
 * A whole signed key ceremony in one process from one seed, and the worked example of
 * docs/ELECTION-CRYPTO.md ("Ceremony transcript", "Key files") built from it. The document is
 * checked against this output by test/unit/docs/ceremony-example.test.ts; rerun this script
 * and paste its output when a format changes.
 *   npx node scripts/ceremony-example.ts
 *
 * The example: 2 trustees, threshold 2, ceremonyId = 32 bytes 0xce, every key and nonce from
 * the seed "saylau ceremony example"; one key file holding trustee 1's key share under the
 * passphrase "correct horse battery staple" with salt 16 x 0x5a and nonce 12 x 0xa5.
 */
import { sealSecret } from "../src/cli/keystore.ts";
import { toHex, utf8 } from "../src/crypto/bytes.ts";
import { type Ed25519KeyPair, keyPairFromSeed } from "../src/crypto/ed25519.ts";
import {
  type CeremonyParameters,
  encodeTrusteeSecret,
  encryptShare,
  finishKeyCeremony,
  openShare,
  startKeyCeremony,
  type TrusteePolynomial,
  type TrusteeSecret,
} from "../src/election/ceremony.ts";
import {
  type CeremonyTranscript,
  encodeTranscript,
  orderedPairs,
  type SignedShare,
  type SignedVerdict,
  signAnnouncement,
  signShare,
  signVerdict,
  TRANSCRIPT_VERSION,
  transcriptHash,
} from "../src/election/ceremony-transcript.ts";
import type { TrusteePublic } from "../src/election/description.ts";
import { seededRng } from "../src/election/rng.ts";

export interface SignedCeremony {
  readonly params: CeremonyParameters;
  readonly signing: readonly Ed25519KeyPair[];
  readonly polynomials: readonly TrusteePolynomial[];
  readonly publics: readonly TrusteePublic[];
  readonly secrets: readonly TrusteeSecret[];
  readonly transcript: CeremonyTranscript;
  readonly bytes: Uint8Array;
}

const rngOf = (seed: string, label: string) => seededRng(utf8(`${seed}/${label}`));

/**
 * Runs the ceremony through the public functions, as the CLI does, only without files.
 * Signing keys depend on the seed alone (not on the ceremonyId), so two ceremonies from one
 * seed have the same trustees: what a replay across ceremonies needs.
 */
export function signedCeremony(
  seed: string,
  params: CeremonyParameters,
  /** Lets a test make trustee `sender`'s share for `recipient` bad (a cheating sender). */
  corruptShare?: (sender: number, recipient: number, p: TrusteePolynomial) => TrusteePolynomial,
): SignedCeremony {
  const n = params.trusteeCount;
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const signing = ids.map((i) => keyPairFromSeed(rngOf(seed, `signing ${i}`)(32)));
  const started = ids.map((i) =>
    startKeyCeremony(params, i, rngOf(seed, `${toHex(params.ceremonyId)}/polynomial ${i}`)),
  );
  const publics = started.map((s) => s.public);
  const polynomials = started.map((s) => s.polynomial);
  const announcements = started.map((s, i) => signAnnouncement(params, signing[i]!, s.public));
  const shareOf = new Map<string, SignedShare>();
  const shares = orderedPairs(n).map(([s, r]) => {
    const rng = rngOf(seed, `${toHex(params.ceremonyId)}/share ${s} ${r}`);
    const p = corruptShare ? corruptShare(s, r, polynomials[s - 1]!) : polynomials[s - 1]!;
    const signed = signShare(signing[s - 1]!, encryptShare(p, publics[r - 1]!, rng));
    shareOf.set(`${s}/${r}`, signed);
    return signed;
  });
  const opened = new Map<number, { sender: number; value: bigint }[]>();
  const verdicts: SignedVerdict[] = orderedPairs(n).map(([r, s]) => {
    const share = shareOf.get(`${s}/${r}`)!.payload;
    const rng = rngOf(seed, `${toHex(params.ceremonyId)}/verdict ${r} ${s}`);
    const result = openShare(polynomials[r - 1]!, publics[s - 1]!, publics[r - 1]!, share, rng);
    if (result.ok) opened.set(r, [...(opened.get(r) ?? []), { sender: s, value: result.value }]);
    return signVerdict(signing[r - 1]!, share, result.ok ? null : result.complaint);
  });
  const secrets = ids.flatMap((i) =>
    (opened.get(i) ?? []).length === n - 1
      ? [finishKeyCeremony(polynomials[i - 1]!, opened.get(i)!)]
      : [],
  );
  const transcript: CeremonyTranscript = {
    version: TRANSCRIPT_VERSION,
    ceremonyId: Uint8Array.from(params.ceremonyId),
    threshold: params.threshold,
    trusteeCount: n,
    announcements,
    shares,
    verdicts,
  };
  return {
    params,
    signing,
    polynomials,
    publics,
    secrets,
    transcript,
    bytes: encodeTranscript(transcript),
  };
}

export const EXAMPLE_SEED = "saylau ceremony example";
export const EXAMPLE_PARAMS: CeremonyParameters = {
  ceremonyId: new Uint8Array(32).fill(0xce),
  threshold: 2,
  trusteeCount: 2,
};
export const EXAMPLE_PASSPHRASE = "correct horse battery staple";
export const EXAMPLE_SALT = new Uint8Array(16).fill(0x5a);
export const EXAMPLE_NONCE = new Uint8Array(12).fill(0xa5);

export function ceremonyExample() {
  const ceremony = signedCeremony(EXAMPLE_SEED, EXAMPLE_PARAMS);
  const share1 = encodeTrusteeSecret(ceremony.secrets[0]!);
  return {
    ceremonyTranscript: ceremony.bytes,
    transcriptHash: transcriptHash(ceremony.bytes),
    keyFileSecret: share1,
    keyFile: sealSecret("trustee-share", share1, EXAMPLE_PASSPHRASE, {
      salt: EXAMPLE_SALT,
      nonce: EXAMPLE_NONCE,
    }),
  };
}

function hexBlock(name: string, bytes: Uint8Array): string {
  const hex = toHex(bytes);
  const lines = hex.match(/.{1,64}/g) ?? [];
  return `\`\`\`hex ${name}\n${lines.join("\n")}\n\`\`\``;
}

if (import.meta.main) {
  const ex = ceremonyExample();
  console.log(hexBlock("ceremonyTranscript", ex.ceremonyTranscript));
  console.log(`\ntranscript hash: \`${toHex(ex.transcriptHash)}\`\n`);
  console.log(hexBlock("keyFileSecret", ex.keyFileSecret));
  console.log();
  console.log(hexBlock("keyFile", ex.keyFile));
}
