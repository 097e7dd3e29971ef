import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CommitCertificate,
  commitStatement,
  decodeCertificate,
  encodeCertificate,
  faultTolerance,
  quorumSize,
  verifyCertificate,
} from "../../../src/consensus/index.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { simCrypto } from "../../sim/sim-crypto.ts";

describe("quorum", () => {
  it("is 2f+1 when N = 3f+1, and 14 (not 13) for N = 20", () => {
    expect([4, 7, 10].map(quorumSize)).toEqual([3, 5, 7]);
    expect(faultTolerance(20)).toBe(6);
    expect(quorumSize(20)).toBe(14);
  });

  it("any two quorums share f+1 validators, and the N-f non-faulty form one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (n) => {
        const f = faultTolerance(n);
        const q = quorumSize(n);
        return 2 * q - n >= f + 1 && q <= n - f;
      }),
    );
  });
});

describe("verifyCertificate (real ed25519)", () => {
  const n = 7;
  const crypto = simCrypto("ed25519", 3, n);
  const electionId = new Uint8Array(32).fill(9);
  const blockHash = new Uint8Array(32).fill(4);
  const statement = commitStatement(electionId, 5, 1, blockHash);
  const sigs = Array.from({ length: n }, (_, i) => ({
    validator: i,
    sig: crypto.signerFor(i).sign(statement),
  }));
  const cert = (signatures = sigs.slice(0, quorumSize(n))): CommitCertificate => ({
    height: 5,
    view: 1,
    blockHash,
    signatures,
  });
  const code = (c: CommitCertificate, id = electionId) => {
    try {
      verifyCertificate(id, crypto.publicKeys, c);
      return "ok";
    } catch (err) {
      if (!isSaylauError(err)) throw err;
      return `${err.code}${err.details.validator === undefined ? "" : `:${err.details.validator}`}`;
    }
  };

  it("accepts q distinct valid signatures, and round-trips through canonical bytes", () => {
    expect(code(cert())).toBe("ok");
    expect(code(decodeCertificate(encodeCertificate(cert())))).toBe("ok");
  });

  it("names each failure", () => {
    expect(code(cert(sigs.slice(0, 4)))).toBe("consensus/cert_too_few_signers");
    expect(code(cert([sigs[0]!, sigs[0]!, sigs[1]!, sigs[2]!, sigs[3]!]))).toBe(
      "consensus/cert_duplicate_signer:0",
    );
    expect(code(cert([sigs[1]!, sigs[0]!, sigs[2]!, sigs[3]!, sigs[4]!]))).toBe(
      "consensus/cert_unsorted:0",
    );
    expect(code(cert([...sigs.slice(0, 4), { validator: 7, sig: sigs[4]!.sig }]))).toBe(
      "consensus/cert_unknown_validator:7",
    );
    expect(code(cert([...sigs.slice(0, 4), { validator: 5, sig: sigs[4]!.sig }]))).toBe(
      "consensus/cert_bad_signature:5",
    );
    // The same signatures do not certify the block for another election, height or view.
    expect(code(cert(), new Uint8Array(32))).toBe("consensus/cert_bad_signature:0");
    expect(code({ ...cert(), height: 6 })).toBe("consensus/cert_bad_signature:0");
    expect(code({ ...cert(), view: 0 })).toBe("consensus/cert_bad_signature:0");
  });
});
