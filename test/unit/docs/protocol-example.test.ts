/**
 * Keeps the worked examples of docs/PROTOCOL.md §13 and docs/ELECTION-CRYPTO.md true: every
 * byte string the documents show must be what scripts/protocol-example.ts produces from the
 * example's seeds, and every object must verify, from the documents' bytes alone, with the
 * same verifiers the validators and the auditor use.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expand_message_xmd } from "@noble/curves/abstract/hash-to-curve.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { protocolExample } from "../../../scripts/protocol-example.ts";
import { decodeCertificate, verifyCertificate } from "../../../src/consensus/certificate.ts";
import { commitStatement } from "../../../src/consensus/statements.ts";
import { concatBytes, fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { verifySignature } from "../../../src/crypto/ed25519.ts";
import { TAG, taggedHash } from "../../../src/crypto/hash.ts";
import { verifyBallot } from "../../../src/election/ballot.ts";
import { styleContext } from "../../../src/election/context.ts";
import { combineShares, verifyDecryptionShare } from "../../../src/election/decryption.ts";
import { decodeScalar, encodePoint, mod, scalarToBytes } from "../../../src/election/group.ts";
import { DST, hashToScalar, u32be } from "../../../src/election/hash-to-scalar.ts";
import {
  addBallot,
  decodeTally,
  emptyTally,
  encodeTally,
  tallyHash,
} from "../../../src/election/tally.ts";
import { trackingCode } from "../../../src/election/tracking-code.ts";
import { decodeHeader, encodeHeader, headerHash } from "../../../src/ledger/block.ts";
import { ledgerContext } from "../../../src/ledger/context.ts";
import { electionIdOf } from "../../../src/ledger/manifest.ts";
import { MemoryLedger } from "../../../src/ledger/memory-ledger.ts";
import { decodeState, encodeState } from "../../../src/ledger/state.ts";
import {
  type BallotTx,
  type CommissionTx,
  type DecryptionTx,
  decodeTransaction,
  signingMessage,
  txId,
} from "../../../src/ledger/transactions.ts";

const read = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../../docs", name), "utf8");
const DOCS = {
  "PROTOCOL.md": read("PROTOCOL.md"),
  "ELECTION-CRYPTO.md": read("ELECTION-CRYPTO.md"),
};
type DocName = keyof typeof DOCS;

/** Every ```hex NAME block of a document, line breaks removed. */
function hexBlocks(doc: DocName): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of DOCS[doc].matchAll(/```hex (\w+)\n([0-9a-f\n]+?)\n```/g)) {
    if (out.has(m[1]!)) throw new Error(`${doc} has two hex blocks named ${m[1]}`);
    out.set(m[1]!, m[2]!.replace(/\n/g, ""));
  }
  return out;
}

function block(doc: DocName, name: string): Uint8Array {
  const hex = hexBlocks(doc).get(name);
  if (hex === undefined) throw new Error(`${doc} has no hex block named ${name}`);
  return fromHex(hex);
}

/** The 32-byte hex value the document states right after `label` (which must be unique). */
function stated(doc: DocName, label: string): string {
  const text = DOCS[doc];
  const at = text.indexOf(label);
  if (at < 0) throw new Error(`${doc} does not state "${label}"`);
  if (text.indexOf(label, at + 1) >= 0) throw new Error(`${doc} states "${label}" twice`);
  const match = text.slice(at + label.length).match(/`([0-9a-f]{64})`/);
  return match![1]!;
}

const P = "PROTOCOL.md";
const E = "ELECTION-CRYPTO.md";

const CEREMONY_BLOCKS = ["ceremonyTranscript", "keyFile", "keyFileSecret"];

/** Hex blocks each document must show, named after protocolExample()'s fields. */
const EXPECTED_BLOCKS: Record<DocName, string[]> = {
  "PROTOCOL.md": [
    "manifest",
    "genesisState",
    "genesisHeader",
    "approveTx",
    "registerTx",
    "block1Header",
    "block1Certificate",
    "ballotTx",
    "tally",
    "decryptionTx",
  ],
  "ELECTION-CRYPTO.md": [
    "selectionChallengeMessage",
    "selectionChallengeUniform",
    // The key ceremony's examples: checked by ceremony-example.test.ts.
    ...CEREMONY_BLOCKS,
  ],
};

/** Values stated inline: [document, label, protocolExample() field]. */
const STATED: [DocName, string, string][] = [
  [P, "- election id", "electionId"],
  [P, "- registrar of region R1:", "registrar"],
  [P, "- trustee 1's signing key", "trusteeKey"],
  [P, "- joint key `K`", "jointKey"],
  [P, "- voter credential:", "credential"],
  [P, "is the stateHash\nof the genesis header:", "genesisStateHash"],
  [P, "- genesis block hash:", "genesisHash"],
  [P, "- signed message of the approval", "approveSigningMessage"],
  [P, "- approval transaction id", "approveTxId"],
  [P, "- signed message of the register transaction", "registerSigningMessage"],
  [P, "- register transaction id", "registerTxId"],
  [P, "- block 1 hash:", "block1Hash"],
  [P, "- commit statement:", "commitStatement"],
  [P, "- signed message of the ballot", "ballotSigningMessage"],
  [P, "- ballot id", "ballotTxId"],
  [P, "- tally hash", "tallyHash"],
  [P, "- decryption transaction id", "decryptionTxId"],
  [P, 'its digest\n`H("saylau/v1/credentials", credentialsLattice)` is', "credentialsLattice"],
  [E, "- selection challenge `c`:", "selectionChallenge"],
];

describe("docs worked examples", () => {
  const example = protocolExample() as Record<string, string>;

  it("show exactly the bytes the code produces", () => {
    for (const doc of Object.keys(DOCS) as DocName[]) {
      const blocks = hexBlocks(doc);
      expect([...blocks.keys()].sort(), doc).toEqual([...EXPECTED_BLOCKS[doc]].sort());
      for (const [name, hex] of blocks) {
        if (!CEREMONY_BLOCKS.includes(name)) expect(hex, `${doc} ${name}`).toBe(example[name]);
      }
    }
    for (const [doc, label, field] of STATED) {
      expect(stated(doc, label), `${doc} "${label}"`).toBe(example[field]);
    }
    expect(DOCS[P]).toContain(`- tracking code: \`${example.trackingCode}\``);
    expect(DOCS[P]).toContain(
      `- the districts' \`result\` in the state after block 3: \`${example.result!.replace(/,/g, ", ")}\``,
    );
    const members = example.commissionMembers!.split(" ");
    expect(stated(P, "- commission member 0's key:")).toBe(members[0]);
    expect(stated(P, "- commission member 2's key:")).toBe(members[2]);
  });

  // From here on, only the documents' bytes and the real verifiers.
  const s = (doc: DocName, label: string) => fromHex(stated(doc, label));

  it("manifest and genesis: the election id and genesis stateHash are reproducible", () => {
    const manifest = block(P, "manifest");
    const ctx = ledgerContext(manifest); // decodes, checks every key and the key ceremony
    expect(toHex(electionIdOf(manifest))).toBe(stated(P, "- election id"));
    expect(toHex(ctx.manifest.regions[0]!.registrar)).toBe(stated(P, "- registrar of region R1:"));
    expect(ctx.geography.districts.map((d) => d.style)).toEqual([[0, 1], [1]]);
    expect(ctx.manifest.trusteeKeys.map(toHex)).toEqual([stated(P, "- trustee 1's signing key")]);
    expect(toHex(ctx.manifest.election.jointKey)).toBe(stated(P, "- joint key `K`"));
    expect(toHex(encodePoint(ctx.crypto.verificationKey(1)))).toBe(stated(P, "- joint key `K`"));

    const state = decodeState(ctx, block(P, "genesisState"));
    expect(toHex(encodeState(state))).toBe(toHex(block(P, "genesisState")));
    expect(state.districts.map((d) => d.tally.ballotCount)).toEqual([0, 0]);
    const genesis = decodeHeader(block(P, "genesisHeader"));
    expect(toHex(taggedHash(TAG.state, block(P, "genesisState")))).toBe(toHex(genesis.stateHash));
    // Genesis follows from the manifest alone.
    const ledger = new MemoryLedger(ctx);
    expect(toHex(encodeHeader(ledger.tip.header))).toBe(toHex(block(P, "genesisHeader")));
    expect(toHex(headerHash(genesis))).toBe(stated(P, "- genesis block hash:"));
  });

  it("block 1 validates on genesis, and its certificate verifies", () => {
    const ctx = ledgerContext(block(P, "manifest"));
    const approve = block(P, "approveTx");
    const decision = decodeTransaction(approve) as CommissionTx;
    expect(decision.type).toBe("commission");
    expect(toHex(signingMessage(decision))).toBe(stated(P, "- signed message of the approval"));
    expect(decision.signatures.map((g) => g.member)).toEqual([0, 2]);
    for (const g of decision.signatures) {
      const key = ctx.manifest.commission.members[g.member]!.publicKey;
      expect(verifySignature(key, signingMessage(decision), g.sig)).toBe(true);
    }
    expect(toHex(txId(approve))).toBe(stated(P, "- approval transaction id"));
    const register = block(P, "registerTx");
    const tx = decodeTransaction(register);
    expect(tx.type).toBe("register");
    if (tx.type !== "register") throw new Error("not a register transaction");
    expect(tx.district).toBe(1);
    expect(verifySignature(ctx.manifest.regions[0]!.registrar, signingMessage(tx), tx.sig)).toBe(
      true,
    );
    expect(toHex(txId(register))).toBe(stated(P, "- register transaction id"));

    const header = decodeHeader(block(P, "block1Header"));
    const ledger = new MemoryLedger(ctx);
    // log root, state hash, signatures, the schedule and registrar rules
    ledger.commit({ header, txs: [approve, register] });
    expect(ledger.tip.state.phase).toBe("registration");
    expect(toHex(headerHash(header))).toBe(stated(P, "- block 1 hash:"));

    const cert = decodeCertificate(block(P, "block1Certificate"));
    expect(cert.height).toBe(1);
    expect(toHex(cert.blockHash)).toBe(stated(P, "- block 1 hash:"));
    expect(toHex(commitStatement(ctx.electionId, 1, cert.view, cert.blockHash))).toBe(
      stated(P, "- commit statement:"),
    );
    const validators = ctx.manifest.validators.map((v) => v.publicKey);
    expect(() => verifyCertificate(ctx.electionId, validators, cert)).not.toThrow();
  });

  it("the ballot's signature and proofs verify, and it makes the stated tally", () => {
    const ctx = ledgerContext(block(P, "manifest"));
    const bytes = block(P, "ballotTx");
    const tx = decodeTransaction(bytes) as BallotTx;
    expect(tx.type).toBe("ballot");
    expect(toHex(tx.credential)).toBe(stated(P, "- voter credential:"));
    expect(verifySignature(tx.credential, signingMessage(tx), tx.sig)).toBe(true);
    expect(tx.district).toBe(1);
    const d2 = ctx.districtCrypto[1]!;
    expect(d2.contestNumbers).toEqual([1]);
    expect(() => verifyBallot(d2, tx.credential, tx.ballot)).not.toThrow();
    // The proofs bind the election-wide contest index: read as contest 0, they fail.
    expect(() => verifyBallot(styleContext(ctx.crypto, [0]), tx.credential, tx.ballot)).toThrow();
    expect(toHex(txId(bytes))).toBe(stated(P, "- ballot id"));
    expect(DOCS[P]).toContain(`- tracking code: \`${trackingCode(txId(bytes))}\``);

    const tally = addBallot(d2, emptyTally(d2), tx.ballot);
    expect(toHex(encodeTally(tally))).toBe(toHex(block(P, "tally")));
    expect(toHex(tallyHash(tally))).toBe(stated(P, "- tally hash"));
  });

  it("the decryption share verifies against the tally and decrypts to the stated result", () => {
    const ctx = ledgerContext(block(P, "manifest"));
    const tx = decodeTransaction(block(P, "decryptionTx")) as DecryptionTx;
    expect(tx.type).toBe("decryption");
    const signer = ctx.manifest.trusteeKeys[tx.share.trustee - 1]!;
    expect(verifySignature(signer, signingMessage(tx), tx.sig)).toBe(true);
    expect(tx.district).toBe(1);
    const d2 = ctx.districtCrypto[1]!;
    const tally = decodeTally(d2, block(P, "tally"));
    expect(toHex(tx.share.tallyHash)).toBe(stated(P, "- tally hash"));
    expect(() => verifyDecryptionShare(d2, tally, tx.share)).not.toThrow();
    expect(combineShares(d2, tally, [tx.share], tally.ballotCount)).toEqual([[1, 0]]);
    // Option "no" counts 0, so its share is the tally's beta itself, as the text says.
    expect(toHex(tx.share.contests[0]![1]!.share)).toBe(
      toHex(encodePoint(tally.contests[0]![1]!.beta)),
    );
  });

  it("the first selection challenge is spelled out correctly", () => {
    const ballot = (decodeTransaction(block(P, "ballotTx")) as BallotTx).ballot;
    const sel = ballot.contests[0]!.selections[0]!;
    const message = concatBytes(
      s(P, "- election id"),
      s(P, "- voter credential:"),
      s(P, "- joint key `K`"),
      u32be(1),
      u32be(0),
      sel.alpha,
      sel.beta,
      ...sel.proof.flatMap((br) => [br.a, br.b]),
    );
    expect(toHex(message)).toBe(toHex(block(E, "selectionChallengeMessage")));
    const uniform = expand_message_xmd(message, "saylau/v1/election/selection-proof", 48, sha512);
    expect(toHex(uniform)).toBe(toHex(block(E, "selectionChallengeUniform")));
    const c = hashToScalar(DST.selectionProof, message);
    expect(c).toBe(mod(BigInt(`0x${toHex(uniform)}`)));
    expect(toHex(scalarToBytes(c))).toBe(stated(E, "- selection challenge `c`:"));
    expect(mod(decodeScalar(sel.proof[0]!.c) + decodeScalar(sel.proof[1]!.c))).toBe(c);
  });
});
