/**
 * The key ceremony as five trustees on five machines would run it: each trustee has its own
 * directory and passphrase, and they share only the bulletin directory.
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadTrusteeKeys,
  publicFile,
  readSigningKey,
  readTrusteeState,
  TRUSTEE_FILES,
} from "../../../src/cli/ceremony-files.ts";
import {
  ceremonyAssemble,
  ceremonyFinish,
  ceremonyInit,
  ceremonyShares,
  ceremonyVerify,
} from "../../../src/cli/ceremony-steps.ts";
import { readKeyFile, writeKeyFile } from "../../../src/cli/keystore.ts";
import { main } from "../../../src/cli/main.ts";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { encryptBallot } from "../../../src/election/ballot.ts";
import {
  decodeTrusteePolynomial,
  decodeTrusteeSecret,
  encodeTrusteeSecret,
  encryptShare,
} from "../../../src/election/ceremony.ts";
import {
  decodeSignedAnnouncement,
  decodeSignedShare,
  encodeSignedAnnouncement,
  encodeSignedShare,
  signAnnouncement,
  signShare,
  verifyCeremonyTranscript,
} from "../../../src/election/ceremony-transcript.ts";
import { prepareElection } from "../../../src/election/context.ts";
import { combineShares, partialDecrypt } from "../../../src/election/decryption.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { addBallot, emptyTally } from "../../../src/election/tally.ts";
import { isSaylauError } from "../../../src/errors.ts";

const N = 5;
const T = 3;
const CEREMONY_ID = new Uint8Array(32).fill(0x5c);
const OTHER_ID = new Uint8Array(32).fill(0x5d);
const passphrase = (i: number) => `trustee ${i}'s own passphrase`;
const rngFor = (label: string) => seededRng(utf8(`trustee-ceremony test/${label}`));

const root = mkdtempSync(join(tmpdir(), "saylau-ceremony-"));
const bulletin = join(root, "bulletin");
const dirOf = (i: number) => join(root, `trustee-${i}`);
const ids = Array.from({ length: N }, (_, i) => i + 1);
const step = (i: number) => ({
  dir: dirOf(i),
  publicDir: bulletin,
  passphrase: passphrase(i),
  rng: rngFor(`steps ${i}`),
});

/** Every secret value each trustee held at some point, as raw bytes. */
const secretsOf = new Map<number, Uint8Array[]>();
const finished = new Map<number, ReturnType<typeof ceremonyFinish>>();

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return null;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** A copy of the bulletin to spoil in one test without touching the others'. */
function bulletinCopy(name: string): string {
  const copy = join(root, `bulletin-${name}`);
  cpSync(bulletin, copy, { recursive: true });
  return copy;
}

beforeAll(() => {
  for (const i of ids) {
    ceremonyInit({
      ...step(i),
      index: i,
      ceremonyId: CEREMONY_ID,
      threshold: T,
      trusteeCount: N,
    });
    const state = readTrusteeState(dirOf(i));
    const polynomial = decodeTrusteePolynomial(
      readKeyFile(join(dirOf(i), TRUSTEE_FILES.polynomial), "trustee-polynomial", passphrase(i)),
    );
    secretsOf.set(i, [
      readSigningKey(dirOf(i), state, passphrase(i)).seed,
      ...polynomial.coefficients,
      utf8(passphrase(i)),
    ]);
  }
  for (const i of ids) ceremonyShares(step(i));
  for (const i of ids) expect(ceremonyVerify(step(i)).complaints).toEqual([]);
  for (const i of ids) {
    finished.set(i, ceremonyFinish(step(i)));
    const { secret } = loadTrusteeKeys(dirOf(i), passphrase(i));
    secretsOf.get(i)!.push(secret.share);
  }
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a 5-trustee, threshold-3 ceremony, one directory per trustee", () => {
  it("every trustee finishes with the same joint key and transcript hash", () => {
    const hashes = new Set(ids.map((i) => toHex(finished.get(i)!.ceremony.hash)));
    const keys = new Set(ids.map((i) => toHex(finished.get(i)!.ceremony.jointKey)));
    expect(hashes.size).toBe(1);
    expect(keys.size).toBe(1);
  });

  it("the coordinator assembles the transcript from the bulletin alone, through the command line", async () => {
    const out = join(root, "transcript.cbor");
    expect(await main(["ceremony", "assemble", "--public", bulletin, "--out", out])).toBe(0);
    const v = verifyCeremonyTranscript(new Uint8Array(readFileSync(out)));
    expect(toHex(v.hash)).toBe(toHex(finished.get(1)!.ceremony.hash));
    expect(v.signingKeys.map(toHex)).toEqual(
      ids.map((i) => toHex(readTrusteeState(dirOf(i)).signingKey)),
    );
  });

  it("the polynomials are deleted; key files are mode 0600", () => {
    for (const i of ids) {
      expect(existsSync(join(dirOf(i), TRUSTEE_FILES.polynomial))).toBe(false);
      for (const f of [TRUSTEE_FILES.signing, TRUSTEE_FILES.share]) {
        expect(statSync(join(dirOf(i), f)).mode & 0o777).toBe(0o600);
      }
    }
  });

  it("any 3 trustees' key shares decrypt a tally; each share matches its verification key", () => {
    const description = finished
      .get(1)!
      .ceremony.description([{ label: "Q", options: ["yes", "no"], limit: 1 }]);
    const ctx = prepareElection(description, new Uint8Array(32).fill(9));
    const rng = rngFor("ballots");
    let tally = emptyTally(ctx);
    [
      [1, 0],
      [1, 0],
      [0, 1],
    ].forEach((choice, k) => {
      const cred = new Uint8Array(32).fill(k + 1);
      tally = addBallot(ctx, tally, encryptBallot(ctx, cred, [choice], rng));
    });
    for (const chosen of [
      [1, 2, 3],
      [2, 4, 5],
    ]) {
      const shares = chosen.map((i) =>
        partialDecrypt(ctx, loadTrusteeKeys(dirOf(i), passphrase(i)).secret, tally, rng),
      );
      expect(combineShares(ctx, tally, shares, 10)).toEqual([[2, 1]]);
    }
  });

  it("no trustee directory holds another trustee's secret, and the bulletin holds none", () => {
    const places = [
      ...ids.map((i) => ({ owner: i, files: filesUnder(dirOf(i)) })),
      { owner: 0, files: [...filesUnder(bulletin), join(root, "transcript.cbor")] },
    ];
    let checked = 0;
    for (const [i, secrets] of secretsOf) {
      for (const place of places) {
        for (const file of place.files) {
          const content = readFileSync(file);
          const text = content.toString("latin1");
          for (const secret of secrets) {
            // Not even its own directory holds a secret in the clear: all of it is encrypted.
            expect(
              content.includes(Buffer.from(secret)),
              `${file} holds trustee ${i}'s secret`,
            ).toBe(false);
            expect(text.includes(toHex(secret)), `${file} holds trustee ${i}'s secret (hex)`).toBe(
              false,
            );
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it("a wrong passphrase: keystore/wrong_passphrase", () => {
    expect(codeOf(() => loadTrusteeKeys(dirOf(2), passphrase(3)))).toBe(
      "keystore/wrong_passphrase",
    );
  });

  it("a tampered key file: keystore/corrupt", () => {
    const dir = join(root, "tampered-key");
    cpSync(dirOf(2), dir, { recursive: true });
    const file = join(dir, TRUSTEE_FILES.share);
    const bytes = readFileSync(file);
    bytes[bytes.length - 40]! ^= 1;
    writeFileSync(file, bytes);
    expect(codeOf(() => loadTrusteeKeys(dir, passphrase(2)))).toBe("keystore/corrupt");
  });

  it("another trustee's key share, even re-encrypted with this trustee's passphrase: ceremony/wrong_trustee", () => {
    const dir = join(root, "wrong-share");
    cpSync(dirOf(3), dir, { recursive: true });
    const theirs = decodeTrusteeSecret(
      readKeyFile(join(dirOf(2), TRUSTEE_FILES.share), "trustee-share", passphrase(2)),
    );
    writeKeyFile(
      join(dir, TRUSTEE_FILES.share),
      "trustee-share",
      encodeTrusteeSecret(theirs),
      passphrase(3),
    );
    expect(codeOf(() => loadTrusteeKeys(dir, passphrase(3)))).toBe("ceremony/wrong_trustee");
  });

  it("another trustee's file on the bulletin in this trustee's place: ceremony/wrong_trustee", () => {
    const a = bulletinCopy("wrong-announcement");
    cpSync(join(a, publicFile.announcement(2)), join(a, publicFile.announcement(3)));
    expect(codeOf(() => ceremonyAssemble(a, join(a, "t.cbor")))).toBe("ceremony/wrong_trustee");
    const s = bulletinCopy("wrong-share");
    cpSync(join(s, publicFile.share(1, 3)), join(s, publicFile.share(1, 2)));
    expect(codeOf(() => ceremonyAssemble(s, join(s, "t.cbor")))).toBe("ceremony/wrong_trustee");
  });

  it("a tampered bulletin file: ceremony/bad_signature", () => {
    const b = bulletinCopy("tampered");
    const file = join(b, publicFile.share(2, 4));
    const share = decodeSignedShare(new Uint8Array(readFileSync(file)));
    share.payload.ciphertext[0]! ^= 1;
    writeFileSync(file, encodeSignedShare(share));
    expect(codeOf(() => ceremonyAssemble(b, join(b, "t.cbor")))).toBe("ceremony/bad_signature");
  });

  it("a missing bulletin file: ceremony/incomplete", () => {
    const b = bulletinCopy("missing");
    rmSync(join(b, publicFile.verdict(4, 1)));
    expect(codeOf(() => ceremonyAssemble(b, join(b, "t.cbor")))).toBe("ceremony/incomplete");
  });

  it("a file replayed from another ceremony: ceremony/other_ceremony", async () => {
    // Trustee 3 of another ceremony, set up through the command line.
    const otherBulletin = join(root, "other-bulletin");
    const passFile = join(root, "pass-3.txt");
    writeFileSync(passFile, `${passphrase(3)}\n`);
    const argv = ["trustee", "ceremony", "init", "--dir", join(root, "other-3")];
    argv.push("--public", otherBulletin, "--passphrase-file", passFile, "--index", "3");
    argv.push("--ceremony-id", toHex(OTHER_ID), "--threshold", "3", "--trustees", "5");
    expect(await main(argv)).toBe(0);
    const b = bulletinCopy("replayed");
    cpSync(join(otherBulletin, publicFile.announcement(3)), join(b, publicFile.announcement(3)));
    expect(codeOf(() => ceremonyAssemble(b, join(b, "t.cbor")))).toBe("ceremony/other_ceremony");
  });

  it("a bad Schnorr proof, signed by its trustee: ceremony/bad_proof", () => {
    const b = bulletinCopy("bad-proof");
    const file = join(b, publicFile.announcement(4));
    const a = decodeSignedAnnouncement(new Uint8Array(readFileSync(file)));
    const trustee = structuredClone(a.payload.trustee);
    trustee.proofs[2]!.response[3]! ^= 1;
    const signing = readSigningKey(dirOf(4), readTrusteeState(dirOf(4)), passphrase(4));
    writeFileSync(
      file,
      encodeSignedAnnouncement(
        signAnnouncement(
          { ceremonyId: CEREMONY_ID, threshold: T, trusteeCount: N },
          signing,
          trustee,
        ),
      ),
    );
    expect(codeOf(() => ceremonyAssemble(b, join(b, "t.cbor")))).toBe("ceremony/bad_proof");
  });

  it("a step run twice, or after finish, is refused", () => {
    expect(
      codeOf(() =>
        ceremonyInit({
          ...step(1),
          index: 1,
          ceremonyId: CEREMONY_ID,
          threshold: T,
          trusteeCount: N,
        }),
      ),
    ).toBe("cli/exists");
    expect(codeOf(() => ceremonyShares(step(1)))).toBe("cli/missing_file");
  });
});

describe("a cheating trustee: the recipient complains and nobody finishes", () => {
  const n = 3;
  const id = new Uint8Array(32).fill(0x77);
  const b = join(root, "cheat-bulletin");
  const s = (i: number) => ({
    dir: join(root, `cheat-${i}`),
    publicDir: b,
    passphrase: passphrase(i),
    rng: rngFor(`cheat ${i}`),
  });

  it("publishes a complaint, and finish and assemble refuse with ceremony/complaint_upheld", () => {
    for (let i = 1; i <= n; i++) {
      ceremonyInit({ ...s(i), index: i, ceremonyId: id, threshold: 2, trusteeCount: n });
    }
    for (let i = 1; i <= n; i++) ceremonyShares(s(i));
    expect(codeOf(() => ceremonyShares(s(1)))).toBe("cli/exists"); // shares are made once
    // Trustee 2 replaces its share for 3 with one from a polynomial it never committed to.
    const dir2 = s(2).dir;
    const polynomial = decodeTrusteePolynomial(
      readKeyFile(join(dir2, TRUSTEE_FILES.polynomial), "trustee-polynomial", passphrase(2)),
    );
    polynomial.coefficients[1]![0]! ^= 1;
    const announce3 = decodeSignedAnnouncement(
      new Uint8Array(readFileSync(join(b, publicFile.announcement(3)))),
    );
    const signing2 = readSigningKey(dir2, readTrusteeState(dir2), passphrase(2));
    const bad = encryptShare(polynomial, announce3.payload.trustee, rngFor("bad share"));
    writeFileSync(join(b, publicFile.share(2, 3)), encodeSignedShare(signShare(signing2, bad)));

    expect(ceremonyVerify(s(1)).complaints).toEqual([]);
    expect(ceremonyVerify(s(2)).complaints).toEqual([]);
    expect(ceremonyVerify(s(3)).complaints).toEqual([{ sender: 2, fault: "commitment_mismatch" }]);
    expect(codeOf(() => ceremonyFinish(s(1)))).toBe("ceremony/complaint_upheld");
    expect(existsSync(join(s(1).dir, TRUSTEE_FILES.share))).toBe(false);
    expect(existsSync(join(s(1).dir, TRUSTEE_FILES.polynomial))).toBe(true);
    expect(codeOf(() => ceremonyAssemble(b, join(root, "cheat.cbor")))).toBe(
      "ceremony/complaint_upheld",
    );
  }, 120_000);
});

describe("the command line", () => {
  it("prints help for each new command and refuses bad usage with exit 2", async () => {
    for (const argv of [
      ["ceremony", "--help"],
      ["ceremony", "assemble", "--help"],
      ["trustee", "ceremony", "--help"],
      ["trustee", "ceremony", "init", "--help"],
    ]) {
      expect(await main(argv), argv.join(" ")).toBe(0);
    }
    const saved = process.env.SAYLAU_PASSPHRASE;
    delete process.env.SAYLAU_PASSPHRASE;
    try {
      for (const argv of [
        ["trustee", "ceremony", "shares", "--public", bulletin], // no --dir
        ["trustee", "ceremony", "shares", "--dir", dirOf(1), "--public", bulletin], // no passphrase
        ["trustee", "ceremony", "shares", "--dir", dirOf(1), "--public", bulletin, "--index", "1"],
        ["trustee", "ceremony", "publish", "--dir", dirOf(1), "--public", bulletin],
        ["trustee", "ceremony", "init", "--passphrase", "on the command line"],
        ["ceremony", "assemble", "--public", bulletin], // no --out
      ]) {
        expect(await main(argv), argv.join(" ")).toBe(2);
      }
    } finally {
      if (saved !== undefined) process.env.SAYLAU_PASSPHRASE = saved;
    }
  });
});
