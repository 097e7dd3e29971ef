/**
 * Evidence as bytes: its identity, its size bound, and the one decode-and-verify that
 * validators and the auditor apply to evidence someone else hands them.
 */
import { describe, expect, it } from "vitest";
import { encodeWith } from "../../../src/codec/schema.ts";
import {
  decodeEvidence,
  EvidenceCodec,
  evidenceId,
  MAX_EVIDENCE_BYTES,
  verifyEncodedEvidence,
} from "../../../src/consensus/evidence.ts";
import { MAX_HEIGHT, MAX_VIEW } from "../../../src/consensus/messages.ts";
import { concatBytes, toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { keyPairFromSeed, verifySignature } from "../../../src/crypto/ed25519.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { signedEvidence, tamperedEvidence } from "../../support/evidence.ts";

const electionId = sha256(utf8("evidence test election"));
const seeds = [0, 1, 2, 3].map((i) => sha256(utf8(`evidence test validator ${i}`)));
const validators = seeds.map((s) => keyPairFromSeed(s).publicKey);

describe("equivocation evidence as bytes", () => {
  it("is named by H(saylau/v1/evidence, canonical bytes)", () => {
    const { bytes } = signedEvidence(seeds[2]!, electionId, 2, {
      height: 5,
      view: 1,
      phase: "prepare",
    });
    const expected = sha256(concatBytes(utf8("saylau/v1/evidence"), Uint8Array.of(0), bytes));
    expect(toHex(evidenceId(bytes))).toBe(toHex(expected));
  });

  it("fits MAX_EVIDENCE_BYTES with every integer at its largest", () => {
    const { evidence } = signedEvidence(seeds[0]!, electionId, 0, {
      height: 1,
      view: 1,
      phase: "view-change",
    });
    const largest = encodeWith(EvidenceCodec, {
      ...evidence,
      validator: Number.MAX_SAFE_INTEGER,
      height: MAX_HEIGHT,
      view: MAX_VIEW,
      first: { ...evidence.first, preparedView: MAX_VIEW },
      second: { ...evidence.second, preparedView: MAX_VIEW },
    });
    expect(largest.length).toBe(343);
    expect(largest.length).toBeLessThanOrEqual(MAX_EVIDENCE_BYTES);
    expect(() => decodeEvidence(new Uint8Array(MAX_EVIDENCE_BYTES + 1))).toThrow(
      expect.objectContaining({ code: "codec/too_large" }),
    );
  });

  it("verifies for every phase, and not once any field is changed", () => {
    for (const phase of ["pre-prepare", "prepare", "commit", "view-change"] as const) {
      const signed = signedEvidence(seeds[3]!, electionId, 3, { height: 9, view: 2, phase });
      const decoded = verifyEncodedEvidence(electionId, validators, signed.bytes, verifySignature);
      expect(decoded).toEqual(signed.evidence);
      for (const [what, bytes] of tamperedEvidence(signed, validators.length)) {
        let code = "accepted";
        try {
          verifyEncodedEvidence(electionId, validators, bytes, verifySignature);
        } catch (err) {
          code = (err as { code: string }).code;
        }
        expect(code, `${phase}: ${what}`).toMatch(/^(consensus\/bad_evidence|codec\/.+)$/);
      }
    }
  });

  it("does not verify for another election", () => {
    const { bytes } = signedEvidence(seeds[1]!, electionId, 1, {
      height: 3,
      view: 0,
      phase: "commit",
    });
    expect(() =>
      verifyEncodedEvidence(sha256(utf8("another")), validators, bytes, verifySignature),
    ).toThrow(expect.objectContaining({ code: "consensus/bad_evidence" }));
  });
});
