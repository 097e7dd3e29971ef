import { expect, it } from "vitest";
import {
  decodePoint,
  decodeScalar,
  encodePoint,
  G,
  invert,
  mod,
  scalarToBytes,
} from "../../../src/election/group.ts";
import {
  buildElectionDescription,
  decodeElectionDescription,
  decodeEncryptedShare,
  encodeElectionDescription,
  encodeEncryptedShare,
  encryptShare,
  finishKeyCeremony,
  openShare,
  startKeyCeremony,
  verifyComplaint,
  verifyTrusteePublic,
} from "../../../src/election/index.ts";
import { evaluatePolynomial } from "../../../src/election/polynomial.ts";
import { deriveShareKeys, shareMac, xor32 } from "../../../src/election/share-encryption.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { describeEachArithmetic, flipBit, rngFor } from "./fixtures.ts";

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return null;
}

const params = { ceremonyId: new Uint8Array(32).fill(0x42), threshold: 2, trusteeCount: 3 };
const trustees = [1, 2, 3].map((i) => startKeyCeremony(params, i, rngFor(`trustee ${i}`)));
const publics = trustees.map((t) => t.public);
const contests = [{ label: "q", options: ["yes", "no"], limit: 1 }];

describeEachArithmetic("key ceremony without a dealer", () => {
  it("each trustee's commitments and Schnorr proofs verify; tampered ones do not", () => {
    for (const p of publics) verifyTrusteePublic(params, p);
    const badProof = structuredClone(publics[1]!);
    badProof.proofs[1]!.response = flipBit(badProof.proofs[1]!.response, 4);
    expect(codeOf(() => verifyTrusteePublic(params, badProof))).toBe("election/bad_proof");
    // A proof is bound to its trustee index: trustee 1's material presented as trustee 3's.
    const moved = { ...structuredClone(publics[0]!), index: 3 };
    expect(codeOf(() => verifyTrusteePublic(params, moved))).toBe("election/bad_proof");
    const otherCeremony = { ...params, ceremonyId: new Uint8Array(32).fill(1) };
    expect(codeOf(() => verifyTrusteePublic(otherCeremony, publics[0]!))).toBe(
      "election/bad_proof",
    );
  });

  it("exchanges encrypted shares and ends with consistent key shares", () => {
    const secrets = trustees.map((recipient) => {
      const opened = trustees
        .filter((s) => s.public.index !== recipient.public.index)
        .map((sender) => {
          const wire = encodeEncryptedShare(
            encryptShare(sender.polynomial, recipient.public, rngFor("x")),
          );
          const result = openShare(
            recipient.polynomial,
            sender.public,
            recipient.public,
            decodeEncryptedShare(wire),
          );
          expect(result.ok).toBe(true);
          if (!result.ok) throw new Error("unreachable");
          return { sender: result.sender, value: result.value };
        });
      return finishKeyCeremony(recipient.polynomial, opened);
    });
    const description = buildElectionDescription({ ...params, contests, trustees: publics });
    const bytes = encodeElectionDescription(description);
    expect(encodeElectionDescription(decodeElectionDescription(bytes))).toEqual(bytes);
    // The joint secret is the sum of the constant terms; any two shares interpolate to it.
    const jointSecret = mod(
      trustees.reduce((acc, t) => acc + decodeScalar(t.polynomial.coefficients[0]!), 0n),
    );
    expect(encodePoint(G.multiply(jointSecret))).toEqual(description.jointKey);
    const z1 = decodeScalar(secrets[0]!.share);
    const z3 = decodeScalar(secrets[2]!.share);
    // Lagrange at 0 for {1, 3}: w1 = 3/2, w3 = -1/2.
    const half = invert(2n);
    expect(mod(3n * half * z1 - half * z3)).toBe(jointSecret);
  });

  it("a bad share yields a complaint anyone can check", () => {
    const [sender, recipient] = [trustees[0]!, trustees[1]!];
    // The sender encrypts a share that does not match its commitments.
    const coefficients = sender.polynomial.coefficients.map((c) => decodeScalar(c));
    const wrongValue = mod(evaluatePolynomial(coefficients, 2) + 1n);
    const good = encryptShare(sender.polynomial, recipient.public, rngFor("bad share"));
    const xiShare = structuredClone(good);
    // Re-encrypt the wrong value under the same ephemeral key (the sender knows the pad).
    const opened = openShare(recipient.polynomial, sender.public, recipient.public, good);
    expect(opened.ok).toBe(true);
    const sharedSecret = encodePoint(
      decodePoint(good.ephemeral).multiply(decodeScalar(recipient.polynomial.coefficients[0]!)),
    );
    const keys = deriveShareKeys(
      params.ceremonyId,
      1,
      2,
      recipient.public.commitments[0]!,
      good.ephemeral,
      sharedSecret,
    );
    xiShare.ciphertext = xor32(scalarToBytes(wrongValue), keys.pad);
    xiShare.mac = shareMac(
      keys.macKey,
      params.ceremonyId,
      1,
      2,
      good.ephemeral,
      xiShare.ciphertext,
    );
    const result = openShare(recipient.polynomial, sender.public, recipient.public, xiShare);
    expect(result.ok).toBe(false);
    if (result.ok) throw new Error("unreachable");
    expect(result.fault).toBe("commitment_mismatch");
    expect(
      verifyComplaint(params.ceremonyId, sender.public, recipient.public, result.complaint),
    ).toBe("commitment_mismatch");

    // A garbled ciphertext is a MAC fault, also provable.
    const garbled = { ...structuredClone(good), ciphertext: flipBit(good.ciphertext, 7) };
    const garbledResult = openShare(recipient.polynomial, sender.public, recipient.public, garbled);
    if (garbledResult.ok) throw new Error("garbled share accepted");
    expect(
      verifyComplaint(params.ceremonyId, sender.public, recipient.public, garbledResult.complaint),
    ).toBe("mac");

    // A complaint about a good share, or with a forged shared secret, is itself rejected.
    const lying = structuredClone(result.complaint);
    lying.share = structuredClone(good);
    expect(
      codeOf(() => verifyComplaint(params.ceremonyId, sender.public, recipient.public, lying)),
    ).toBe("election/bad_complaint");
    const forged = structuredClone(result.complaint);
    forged.sharedSecret = encodePoint(G.multiply(12345n));
    expect(
      codeOf(() => verifyComplaint(params.ceremonyId, sender.public, recipient.public, forged)),
    ).toBe("election/bad_complaint");
  });

  it("rejects descriptions that are not sound", () => {
    const description = buildElectionDescription({ ...params, contests, trustees: publics });
    const badLimit = structuredClone(description);
    badLimit.contests[0]!.limit = 3;
    expect(codeOf(() => encodeElectionDescription(badLimit))).toBe("election/wrong_limit");
    const zeroLimit = structuredClone(description);
    zeroLimit.contests[0]!.limit = 0;
    expect(codeOf(() => encodeElectionDescription(zeroLimit))).toBe("election/wrong_limit");
    const badKey = structuredClone(description);
    badKey.jointKey = encodePoint(G.multiply(7n));
    expect(codeOf(() => encodeElectionDescription(badKey))).toBe("election/bad_joint_key");
    const badPoint = structuredClone(description);
    badPoint.trustees[0]!.commitments[1] = new Uint8Array(32).fill(0xff);
    expect(codeOf(() => encodeElectionDescription(badPoint))).toBe("election/bad_point");
    const badThreshold = { ...structuredClone(description), threshold: 4 };
    expect(codeOf(() => encodeElectionDescription(badThreshold))).toBe("election/bad_threshold");
    expect(codeOf(() => startKeyCeremony({ ...params, threshold: 0 }, 1))).toBe(
      "election/bad_threshold",
    );
  });
});
