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
import {
  ballotTx,
  commissionDecision,
  commissionTx,
  registerTx,
} from "../../../src/ledger/tx-builders.ts";

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
    const registrar = setup.registrars[0]!;
    const member = setup.commission[0]!;
    const trusteeKey = setup.trustees[0]!.signing.publicKey;
    const approve = commissionTx(
      commissionDecision(setup.electionId, "approve", setup.manifest.schedule.closesAt),
      [
        { member: 0, key: member },
        { member: 1, key: setup.commission[1]! },
      ],
    );
    const register = registerTx(setup.electionId, registrar, 1, [
      registrar.publicKey,
      member.publicKey,
      setup.validators[0]!.publicKey,
      trusteeKey,
    ]);
    const opens = setup.manifest.schedule.opensAt;
    const b1 = ledger.propose([approve, register], opens, 1);
    expect(b1.rejected).toEqual([]);
    ledger.commit(b1.block);
    expect(ledger.tip.state.credentials).toBe(4);

    // The registrar's own key votes as a credential, then votes again.
    const first = ballotTx(ctx, registrar, 1, [[1, 0]], 1, rng("first"));
    const again = ballotTx(ctx, registrar, 1, [[0, 1]], 2, rng("again"));
    const b2 = ledger.propose([first, again], opens + 1, 2);
    expect(b2.rejected).toEqual([]);
    ledger.commit(b2.block);
    const state = ledger.tip.state;
    expect([state.ballots, state.voters, state.districts[1]!.tally.ballotCount]).toEqual([2, 1, 1]);
  });

  it("the state holds each district's tally as a byte string and the decryption shares as maps", () => {
    const state = example.ledger.tip.state; // after block 3: one share, a result
    const raw = decodeCanonical(encodeState(state)) as Record<string, unknown>;
    const districts = raw.districts as Record<string, unknown>[];
    expect(districts).toHaveLength(2);
    const d2 = districts[1]!;
    expect(d2.tally).toBeInstanceOf(Uint8Array);
    expect(decodeTally(ctx.districtCrypto[1]!, d2.tally as Uint8Array)).toEqual(
      state.districts[1]!.tally,
    );
    const decryptions = d2.decryptions as Record<string, unknown>[];
    expect(decryptions).toHaveLength(1);
    expect(decryptions[0]!.trustee).toBe(1);
    expect(Array.isArray(decryptions[0]!.contests)).toBe(true);
    expect(d2.result).toEqual([[1, 0]]);
    // D1 had no ballot: its result is all zeros from the close, with no share.
    expect(districts[0]!.result).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(districts[0]!.decryptions).toEqual([]);
    expect(raw.credentialsLattice).toBeInstanceOf(Uint8Array);
    expect((raw.credentialsLattice as Uint8Array).length).toBe(2048);
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
    // None at all is already refused by the shape (1..64 keys).
    expect(codeOf(() => encodeManifest({ ...setup.manifest, trusteeKeys: [] }))).toBe(
      "codec/invalid_field",
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
