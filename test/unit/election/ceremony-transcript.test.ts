import { describe, expect, it } from "vitest";
import { signedCeremony } from "../../../scripts/ceremony-example.ts";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { sign } from "../../../src/crypto/ed25519.ts";
import { TAG, taggedHash } from "../../../src/crypto/hash.ts";
import { encryptShare, type TrusteePolynomial } from "../../../src/election/ceremony.ts";
import {
  type CeremonyTranscript,
  decodeTranscript,
  encodeTranscript,
  signAnnouncement,
  signedDigest,
  signShare,
  signVerdict,
  transcriptHash,
  verifyCeremonyTranscript,
} from "../../../src/election/ceremony-transcript.ts";
import { prepareElection } from "../../../src/election/context.ts";
import { decodePoint, encodePoint, G, IDENTITY } from "../../../src/election/group.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { isSaylauError } from "../../../src/errors.ts";

const ID = new Uint8Array(32).fill(0x31);
const OTHER_ID = new Uint8Array(32).fill(0x32);
const PARAMS = { ceremonyId: ID, threshold: 2, trusteeCount: 3 };
const SEED = "transcript test";
const good = signedCeremony(SEED, PARAMS);
const contests = [{ label: "Q", options: ["yes", "no"], limit: 1 }];

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return null;
}

/** A deep copy of the good transcript, to edit. */
function copy(): CeremonyTranscript {
  return decodeTranscript(good.bytes);
}
const verifyCode = (t: CeremonyTranscript) =>
  codeOf(() => verifyCeremonyTranscript(encodeTranscript(t)));

describe("a complete, honest transcript", () => {
  it("verifies and yields the trustees, their signing keys in index order and K", () => {
    const v = verifyCeremonyTranscript(good.bytes);
    expect(v.signingKeys.map(toHex)).toEqual(good.signing.map((s) => toHex(s.publicKey)));
    expect(v.trustees).toEqual(good.publics);
    const K = good.publics
      .map((p) => decodePoint(p.commitments[0]!))
      .reduce((a, b) => a.add(b), IDENTITY);
    expect(toHex(v.jointKey)).toBe(toHex(encodePoint(K)));
    expect(toHex(v.hash)).toBe(toHex(taggedHash(TAG.ceremonyTranscript, good.bytes)));
    expect(toHex(transcriptHash(good.bytes))).toBe(toHex(v.hash));
    const description = v.description(contests);
    expect(toHex(description.jointKey)).toBe(toHex(v.jointKey));
    // Every trustee's key share matches its public verification key.
    const ctx = prepareElection(description, new Uint8Array(32));
    for (const s of good.secrets) {
      const z = BigInt(`0x${toHex(Uint8Array.from(s.share).reverse())}`);
      expect(ctx.verificationKey(s.index).equals(G.multiply(z))).toBe(true);
    }
  });
});

/** The path of every leaf (byte string or integer) of a decoded object. */
function leaves(value: unknown, path = ""): string[] {
  if (value instanceof Uint8Array || typeof value === "number") return [path];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    leaves(v, path === "" ? k : `${path}.${k}`),
  );
}

function getParent(root: Record<string, unknown>, path: string): [Record<string, unknown>, string] {
  const parts = path.split(".");
  let node: Record<string, unknown> = root;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>;
  return [node, parts.at(-1)!];
}

/** The code a change of the field at `path` must be refused with. */
function expectedCode(path: string): string {
  if (path === "version") return "codec/invalid_field"; // 2 is beyond the only version
  if (path === "ceremonyId") return "ceremony/other_ceremony";
  if (path === "threshold") return "ceremony/wrong_parameters";
  if (path === "trusteeCount") return "ceremony/incomplete";
  if (/^\w+\.\d+\.ceremonyId$/.test(path)) return "ceremony/other_ceremony";
  if (/^\w+\.\d+\.signer$/.test(path)) return "ceremony/wrong_trustee";
  if (/^\w+\.\d+\.(signature|payload\..*)$/.test(path)) return "ceremony/bad_signature";
  throw new Error(`no rule for ${path}`);
}

describe("tampering with any field of the transcript", () => {
  const paths = leaves(copy());
  it("covers every field of every message", () => {
    expect(paths.length).toBeGreaterThan(150);
  });
  it.each(paths)("%s is refused with its code", (path) => {
    const t = copy();
    const [parent, key] = getParent(t as unknown as Record<string, unknown>, path);
    const v = parent[key];
    if (typeof v === "number") parent[key] = v + 1;
    else {
      const b = Uint8Array.from(v as Uint8Array);
      b[b.length - 1]! ^= 0x01;
      parent[key] = b;
    }
    expect(verifyCode(t)).toBe(expectedCode(path));
  });
});

describe("refusals, each with its own code", () => {
  it("version 0: ceremony/bad_version; a threshold of 0 or above n: ceremony/wrong_parameters", () => {
    expect(verifyCode({ ...copy(), version: 0 })).toBe("ceremony/bad_version");
    expect(verifyCode({ ...copy(), threshold: 0 })).toBe("ceremony/wrong_parameters");
    expect(verifyCode({ ...copy(), threshold: 4 })).toBe("ceremony/wrong_parameters");
  });

  it("a missing announcement, share or verdict: ceremony/incomplete", () => {
    for (const field of ["announcements", "shares", "verdicts"] as const) {
      const t = copy();
      t[field].pop();
      expect(verifyCode(t)).toBe("ceremony/incomplete");
    }
  });

  it("a message in another trustee's slot: ceremony/wrong_trustee", () => {
    for (const field of ["announcements", "shares", "verdicts"] as const) {
      const t = copy();
      const list = t[field] as unknown[];
      [list[0], list[list.length - 1]] = [list[list.length - 1], list[0]];
      expect(verifyCode(t)).toBe("ceremony/wrong_trustee");
    }
  });

  it("a trustee signing a share in another's name: ceremony/bad_signature", () => {
    const t = copy();
    // Trustee 2 signs the share 1 -> 2 with its own key, claiming to be trustee 1.
    const forged = signShare(good.signing[1]!, t.shares[0]!.payload);
    t.shares[0] = { ...forged, signer: 1 };
    expect(verifyCode(t)).toBe("ceremony/bad_signature");
  });

  it("a share signed by its sender but addressed to another recipient: ceremony/wrong_trustee", () => {
    const t = copy();
    // shares[0] is 1 -> 2; put there 1's (signed) share for 3.
    t.shares[0] = t.shares[1]!;
    expect(verifyCode(t)).toBe("ceremony/wrong_trustee");
  });

  it("messages replayed from another ceremony of the same trustees: ceremony/other_ceremony", () => {
    const other = signedCeremony(SEED, { ...PARAMS, ceremonyId: OTHER_ID });
    // Same trustees, same signing keys: the signatures are good, only the ceremony differs.
    expect(toHex(other.signing[0]!.publicKey)).toBe(toHex(good.signing[0]!.publicKey));
    for (const field of ["announcements", "shares", "verdicts"] as const) {
      const t = copy();
      (t[field] as unknown[])[2] = other.transcript[field][2];
      expect(verifyCode(t)).toBe("ceremony/other_ceremony");
    }
    // A whole transcript of the other ceremony verifies, and has another hash.
    const v = verifyCeremonyTranscript(other.bytes);
    expect(toHex(v.hash)).not.toBe(toHex(transcriptHash(good.bytes)));
  });

  it("a share whose inner ceremonyId differs, signed by its sender: ceremony/other_ceremony", () => {
    const t = copy();
    const payload = { ...t.shares[0]!.payload, ceremonyId: OTHER_ID };
    const digest = signedDigest("share", ID, 1, payload);
    t.shares[0] = {
      ceremonyId: ID,
      signer: 1,
      payload,
      signature: sign(good.signing[0]!.seed, digest),
    };
    expect(verifyCode(t)).toBe("ceremony/other_ceremony");
  });

  it("a bad Schnorr proof or commitment, signed by its trustee: ceremony/bad_proof", () => {
    for (const edit of ["response", "commitment"] as const) {
      const t = copy();
      const trustee = structuredClone(good.publics[1]!);
      if (edit === "response") trustee.proofs[1]!.response[0]! ^= 1;
      else trustee.commitments[1] = encodePoint(G);
      t.announcements[1] = signAnnouncement(PARAMS, good.signing[1]!, trustee);
      expect(verifyCode(t)).toBe("ceremony/bad_proof");
    }
  });

  it("an announcement for other parameters: ceremony/wrong_parameters", () => {
    const t = copy();
    t.announcements[1] = signAnnouncement(
      { ...PARAMS, trusteeCount: 4 },
      good.signing[1]!,
      good.publics[1]!,
    );
    expect(verifyCode(t)).toBe("ceremony/wrong_parameters");
  });

  it("two trustees with one signing key: ceremony/duplicate_key", () => {
    const t = copy();
    // Trustee 1's key holder also announces trustee 2's public: a self-consistent message.
    t.announcements[1] = signAnnouncement(PARAMS, good.signing[0]!, good.publics[1]!);
    expect(verifyCode(t)).toBe("ceremony/duplicate_key");
  });

  it("a verdict on another share than the one sent: ceremony/verdict_mismatch", () => {
    const t = copy();
    // verdicts[0] is trustee 1's verdict on 2 -> 1; trustee 1 signs one on a re-encryption.
    const reencrypted = encryptShare(
      good.polynomials[1]!,
      good.publics[0]!,
      seededRng(utf8("another nonce 000")),
    );
    t.verdicts[0] = signVerdict(good.signing[0]!, reencrypted, null);
    expect(verifyCode(t)).toBe("ceremony/verdict_mismatch");
  });

  it("a justified complaint: ceremony/complaint_upheld, naming the cheating sender", () => {
    // Trustee 2 sends trustee 3 a share off its committed polynomial.
    const cheat = (s: number, r: number, p: TrusteePolynomial): TrusteePolynomial => {
      if (s !== 2 || r !== 3) return p;
      const coefficients = p.coefficients.map((c) => Uint8Array.from(c));
      coefficients[0]![0]! ^= 1;
      return { ...p, coefficients };
    };
    const bad = signedCeremony(SEED, PARAMS, cheat);
    expect(bad.transcript.verdicts.filter((v) => v.payload.complaint !== null)).toHaveLength(1);
    try {
      verifyCeremonyTranscript(bad.bytes);
      expect.fail("verified");
    } catch (err) {
      expect(isSaylauError(err) && err.code).toBe("ceremony/complaint_upheld");
      expect(isSaylauError(err) && err.details).toMatchObject({
        sender: 2,
        recipient: 3,
        fault: "commitment_mismatch",
      });
    }
  });

  it("an unjustified complaint: ceremony/complaint_rejected (the ceremony fails all the same)", () => {
    const t = copy();
    const share = t.verdicts[0]!.payload.share;
    t.verdicts[0] = signVerdict(good.signing[0]!, share, {
      share,
      sharedSecret: encodePoint(G),
      proof: { a: encodePoint(G), b: encodePoint(G), v: new Uint8Array(32) },
    });
    expect(verifyCode(t)).toBe("ceremony/complaint_rejected");
  });

  it("bytes that are not a canonical transcript: codec errors", () => {
    expect(codeOf(() => verifyCeremonyTranscript(good.bytes.subarray(0, 100)))).toMatch(/^codec\//);
  });
});
