/**
 * The rules docs/PROTOCOL.md states to settle what a second implementation found ambiguous,
 * each held to the code on the worked example's election, so the text and the code cannot
 * drift apart unnoticed.
 */
import { describe, expect, it } from "vitest";
import { buildExample } from "../../../scripts/protocol-example.ts";
import {
  type CommitCertificate,
  certificateProblem,
  decodeCertificate,
  encodeCertificate,
} from "../../../src/consensus/certificate.ts";
import { sign } from "../../../src/crypto/ed25519.ts";

const example = buildExample();
const { setup, ctx } = example;
const validators = setup.manifest.validators.map((v) => v.publicKey);

describe("PROTOCOL.md §8: every signature in a certificate must be valid", () => {
  const cert = decodeCertificate(example.certificate); // validators 0, 1, 2: exactly q = 3
  const sig3 = sign(setup.validators[3]!.seed, example.statement);
  const withFourth = (sig: Uint8Array): CommitCertificate => ({
    ...cert,
    signatures: [...cert.signatures, { validator: 3, sig }],
  });
  const problem = (c: CommitCertificate) =>
    certificateProblem(ctx.electionId, validators, c)?.code ?? "ok";

  it("q valid signatures are a valid certificate, and so are q + 1", () => {
    expect(problem(cert)).toBe("ok");
    expect(problem(withFourth(sig3))).toBe("ok");
  });

  it("q valid signatures plus one invalid one are not", () => {
    const bad = withFourth(cert.signatures[0]!.sig); // validator 0's signature, not 3's
    expect(problem(bad)).toBe("consensus/cert_bad_signature");
    expect(problem(decodeCertificate(encodeCertificate(bad)))).toBe("consensus/cert_bad_signature");
  });
});
