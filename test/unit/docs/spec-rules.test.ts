/**
 * The rules docs/PROTOCOL.md states to settle what a second implementation found ambiguous,
 * each held to the code on the worked example's election, so the text and the code cannot
 * drift apart unnoticed.
 */
import { encode } from "cborg";
import { describe, expect, it } from "vitest";
import { buildExample } from "../../../scripts/protocol-example.ts";
import { decodeCanonical } from "../../../src/codec/cbor.ts";
import { decodeWith } from "../../../src/codec/schema.ts";
import {
  type CommitCertificate,
  certificateProblem,
  decodeCertificate,
  encodeCertificate,
} from "../../../src/consensus/certificate.ts";
import { sign } from "../../../src/crypto/ed25519.ts";
import { contestCodec } from "../../../src/election/description.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { decodeTally } from "../../../src/election/tally.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { decodeHeader, encodeHeader } from "../../../src/ledger/block.ts";
import { deriveKey } from "../../../src/ledger/election-setup.ts";
import { encodeManifest, manifestCodec } from "../../../src/ledger/manifest.ts";
import { MemoryLedger } from "../../../src/ledger/memory-ledger.ts";
import { encodeState } from "../../../src/ledger/state.ts";
import { ballotTx, phaseTx, registerTx } from "../../../src/ledger/tx-builders.ts";

const example = buildExample();
const { setup, ctx } = example;
const validators = setup.manifest.validators.map((v) => v.publicKey);
const rng = (label: string) => seededRng(new TextEncoder().encode(`spec rules test ${label}`));

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (!isSaylauError(err)) throw err;
    return err.code;
  }
}

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

describe("PROTOCOL.md §5/§6: credentials, ballotCount, and how the state nests the tally", () => {
  it("a credential may equal a manifest key; ballotCount counts voters, not ballot transactions", () => {
    const ledger = new MemoryLedger(ctx);
    const authority = setup.authority;
    const trusteeKey = setup.trustees[0]!.signing.publicKey;
    const register = registerTx(setup.electionId, authority, [
      authority.publicKey,
      setup.validators[0]!.publicKey,
      trusteeKey,
    ]);
    const open = phaseTx(setup.electionId, authority, "open");
    const b1 = ledger.propose([register, open], setup.manifest.createdAt + 1, 1);
    expect(b1.rejected).toEqual([]);
    ledger.commit(b1.block);
    expect(ledger.tip.state.credentials).toBe(3);

    // The authority's own key votes as a credential, then votes again.
    const first = ballotTx(ctx.crypto, authority, [[1, 0]], 1, rng("first"));
    const again = ballotTx(ctx.crypto, authority, [[0, 1]], 2, rng("again"));
    const b2 = ledger.propose([first, again], setup.manifest.createdAt + 2, 2);
    expect(b2.rejected).toEqual([]);
    ledger.commit(b2.block);
    const state = ledger.tip.state;
    expect([state.ballots, state.voters, state.tally.ballotCount]).toEqual([2, 1, 1]);
  });

  it("the state holds the tally as a byte string and the decryption shares as maps", () => {
    const state = example.ledger.tip.state; // after block 3: one share, a result
    const raw = decodeCanonical(encodeState(state)) as Record<string, unknown>;
    expect(raw.tally).toBeInstanceOf(Uint8Array);
    expect(decodeTally(ctx.crypto, raw.tally as Uint8Array)).toEqual(state.tally);
    const decryptions = raw.decryptions as Record<string, unknown>[];
    expect(decryptions).toHaveLength(1);
    expect(decryptions[0]!.trustee).toBe(1);
    expect(Array.isArray(decryptions[0]!.contests)).toBe(true);
    expect(raw.result).toEqual([[1, 0]]);
  });
});

describe("PROTOCOL.md §4: trusteeKeys holds exactly one key per trustee", () => {
  const extra = deriveKey(new Uint8Array(32), "spec rules extra trustee key").publicKey;
  it("one key more, or one fewer, is refused", () => {
    const trusteeKeys = setup.manifest.trusteeKeys;
    expect(codeOf(() => encodeManifest(setup.manifest))).toBe("ok");
    expect(
      codeOf(() => encodeManifest({ ...setup.manifest, trusteeKeys: [...trusteeKeys, extra] })),
    ).toBe("manifest/trustee_mismatch");
    expect(codeOf(() => encodeManifest({ ...setup.manifest, trusteeKeys: [] }))).toBe(
      "manifest/trustee_mismatch",
    );
  });
});

describe("PROTOCOL.md §1/§11: integers and text bounds", () => {
  it("labels allow 256 UTF-16 code units and names 200", () => {
    const contest = (label: string, option: string) => () =>
      contestCodec.check({ label, options: [option], limit: 1 }, "contest");
    expect(codeOf(contest("x".repeat(256), "y".repeat(256)))).toBe("ok");
    expect(codeOf(contest("x".repeat(257), "y"))).toBe("codec/invalid_field");
    expect(codeOf(contest("x", "y".repeat(257)))).toBe("codec/invalid_field");
    expect(codeOf(contest("😀".repeat(128), "y"))).toBe("ok");
    expect(codeOf(contest(`x${"😀".repeat(128)}`, "y"))).toBe("codec/invalid_field");
    const named = (name: string) => () => manifestCodec.check({ ...setup.manifest, name }, "");
    expect(codeOf(named("n".repeat(200)))).toBe("ok");
    expect(codeOf(named("n".repeat(201)))).toBe("codec/invalid_field");
  });

  it("a negative integer, or one of 2^53 or more, is refused in every integer field", () => {
    const header = decodeHeader(encodeHeader(example.genesis.header));
    const withHeight = (height: number | bigint) => () =>
      decodeHeader(encode({ ...header, height }));
    expect(codeOf(withHeight(0))).toBe("ok");
    expect(codeOf(withHeight(-1))).toBe("codec/invalid_field");
    expect(codeOf(withHeight(2n ** 53n))).toMatch(/^codec\/(float|invalid_field)$/);
    expect(codeOf(withHeight(2n ** 64n - 1n))).toBe("codec/invalid_field");
    const cert = decodeCertificate(example.certificate);
    expect(
      codeOf(() => decodeWith(manifestCodec, encode({ ...setup.manifest, createdAt: -5 }))),
    ).toBe("codec/invalid_field");
    expect(codeOf(() => decodeCertificate(encode({ ...cert, view: -1 })))).toBe(
      "codec/invalid_field",
    );
  });
});
