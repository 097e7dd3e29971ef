import { beforeAll, describe, expect, it } from "vitest";
import { decodeCertificate } from "../../../src/consensus/certificate.ts";
import type { VerifyFn } from "../../../src/consensus/types.ts";
import { verifySignature } from "../../../src/crypto/ed25519.ts";
import { verifyPure } from "../../../src/crypto/ed25519-rule.ts";
import { buildInclusionProof, rootOfLeafHashes } from "../../../src/crypto/merkle.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { decodeBlock } from "../../../src/ledger/block.ts";
import { decodeTransaction, txId } from "../../../src/ledger/transactions.ts";
import {
  decodeReceipt,
  encodeReceipt,
  type Receipt,
  type ReceiptTrust,
  verifyReceipt,
} from "../../../src/receipt/receipt.ts";
import { type BuiltElection, buildElection } from "../audit/record.ts";

let built: BuiltElection;
let trust: ReceiptTrust;
/** Every transaction id in log order, and which of them are ballots. */
let leaves: Uint8Array[];
let ballotLeaves: number[];

/** An RFC 9162 audit path computed from the leaves alone, independently of any store. */
function auditPath(leafIndex: number, size: number): Uint8Array[] {
  return buildInclusionProof(leafIndex, size, (level, index) =>
    rootOfLeafHashes(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level)),
  );
}

/** A receipt for the ballot at `leafIndex` against the block at `height`. */
function receiptAt(leafIndex: number, height: number): Receipt {
  const entry = built.entries[height - 1]!;
  const header = decodeBlock(entry.block).header;
  return {
    version: 1,
    ballotId: leaves[leafIndex]!,
    leafIndex,
    header,
    auditPath: auditPath(leafIndex, header.logSize),
    certificate: decodeCertificate(entry.certificate!),
  };
}

const VERIFIERS: [string, VerifyFn][] = [
  ["node:crypto", verifySignature],
  ["pure JS (browser)", verifyPure],
];

/** The code verifyReceipt rejects with after a round trip through the wire encoding. */
function verdict(receipt: Receipt, verify: VerifyFn, against: ReceiptTrust = trust): string {
  const wire = decodeReceipt(encodeReceipt(receipt));
  try {
    verifyReceipt(against, wire, verify);
    return "valid";
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
}

const flip = (bytes: Uint8Array, at = 0): Uint8Array => {
  const out = Uint8Array.from(bytes);
  out[at]! ^= 1;
  return out;
};

beforeAll(() => {
  built = buildElection({ seed: "receipts" });
  trust = {
    electionId: built.setup.electionId,
    validators: built.setup.manifest.validators.map((v) => v.publicKey),
  };
  leaves = [];
  ballotLeaves = [];
  for (const entry of built.entries) {
    for (const tx of decodeBlock(entry.block).txs) {
      if (decodeTransaction(tx).type === "ballot") ballotLeaves.push(leaves.length);
      leaves.push(txId(tx));
    }
  }
}, 60_000);

describe("receipts from an in-memory ledger", () => {
  it("every ballot has a valid receipt against every certified block that includes it", () => {
    let checked = 0;
    for (const leafIndex of ballotLeaves) {
      for (let h = 1; h <= built.entries.length; h++) {
        const size = decodeBlock(built.entries[h - 1]!.block).header.logSize;
        if (size <= leafIndex) continue;
        for (const [, verify] of VERIFIERS)
          expect(verdict(receiptAt(leafIndex, h), verify)).toBe("valid");
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(ballotLeaves.length);
  });

  it("rejects every tampered field with the right code, the same with both verifiers", () => {
    const leafIndex = ballotLeaves[2]!;
    const head = built.entries.length;
    const good = receiptAt(leafIndex, head);
    expect(good.auditPath.length).toBeGreaterThan(2);
    const cert = good.certificate;
    const header = good.header;
    const withHeader = (change: Partial<Receipt["header"]>): Receipt => ({
      ...good,
      header: { ...header, ...change },
    });
    const withCert = (change: Partial<Receipt["certificate"]>): Receipt => ({
      ...good,
      certificate: { ...cert, ...change },
    });
    const cases: [string, Receipt, string][] = [
      ["ballotId", { ...good, ballotId: flip(good.ballotId) }, "receipt/path"],
      ["another ballot's id", { ...good, ballotId: leaves[ballotLeaves[3]!]! }, "receipt/path"],
      ["leafIndex + 1", { ...good, leafIndex: leafIndex + 1 }, "receipt/path"],
      ["leafIndex past the log", { ...good, leafIndex: header.logSize }, "receipt/path"],
      [
        "header.electionId",
        withHeader({ electionId: flip(header.electionId) }),
        "receipt/wrong_election",
      ],
      ["header.height", withHeader({ height: header.height + 1 }), "receipt/header_hash"],
      ["header.prevHash", withHeader({ prevHash: flip(header.prevHash) }), "receipt/header_hash"],
      ["header.time", withHeader({ time: header.time + 1 }), "receipt/header_hash"],
      [
        "header.proposer",
        withHeader({ proposer: (header.proposer + 1) % 4 }),
        "receipt/header_hash",
      ],
      ["header.txCount", withHeader({ txCount: header.txCount + 1 }), "receipt/header_hash"],
      // An RFC 9162 audit path does not pin the tree size: here the same path still leads to
      // logRoot for one more leaf, so it is the header hash (which covers logSize) that fails.
      // Growing the size to the next power of two changes the path's shape instead.
      ["header.logSize + 1", withHeader({ logSize: header.logSize + 1 }), "receipt/header_hash"],
      ["header.logSize * 4", withHeader({ logSize: header.logSize * 4 }), "receipt/path"],
      ["header.logRoot", withHeader({ logRoot: flip(header.logRoot) }), "receipt/path"],
      [
        "header.stateHash",
        withHeader({ stateHash: flip(header.stateHash) }),
        "receipt/header_hash",
      ],
      ["certificate.height", withCert({ height: cert.height + 1 }), "receipt/header_hash"],
      ["certificate.view", withCert({ view: cert.view + 1 }), "consensus/cert_bad_signature"],
      [
        "certificate.blockHash",
        withCert({ blockHash: flip(cert.blockHash) }),
        "receipt/header_hash",
      ],
      [
        "a signature byte",
        withCert({
          signatures: cert.signatures.map((s, i) => (i === 1 ? { ...s, sig: flip(s.sig, 40) } : s)),
        }),
        "consensus/cert_bad_signature",
      ],
      [
        "a signature dropped below quorum",
        withCert({ signatures: cert.signatures.slice(1) }),
        "consensus/cert_too_few_signers",
      ],
      [
        "a duplicated signer",
        withCert({ signatures: [cert.signatures[0]!, cert.signatures[1]!, cert.signatures[1]!] }),
        "consensus/cert_duplicate_signer",
      ],
      [
        "an unknown validator index",
        withCert({
          signatures: cert.signatures.map((s, i) => (i === 2 ? { ...s, validator: 7 } : s)),
        }),
        "consensus/cert_unknown_validator",
      ],
      [
        "a signature moved to another validator",
        withCert({
          signatures: cert.signatures.map((s, i) => (i === 2 ? { ...s, validator: 3 } : s)),
        }),
        "consensus/cert_bad_signature",
      ],
    ];
    good.auditPath.forEach((_, i) => {
      cases.push([
        `auditPath[${i}]`,
        { ...good, auditPath: good.auditPath.map((p, j) => (j === i ? flip(p, 31) : p)) },
        "receipt/path",
      ]);
    });
    cases.push([
      "auditPath shortened",
      { ...good, auditPath: good.auditPath.slice(1) },
      "receipt/path",
    ]);

    for (const [what, receipt, code] of cases) {
      for (const [name, verify] of VERIFIERS) {
        expect(verdict(receipt, verify), `${what} (${name})`).toBe(code);
      }
    }
    // The untouched receipt still verifies: every rejection above came from the tampering.
    for (const [, verify] of VERIFIERS) expect(verdict(good, verify)).toBe("valid");
  });

  it("a valid receipt of one election proves nothing for another", () => {
    const other = buildElection({ seed: "another election", voters: 2 });
    const against = {
      electionId: other.setup.electionId,
      validators: other.setup.manifest.validators.map((v) => v.publicKey),
    };
    const receipt = receiptAt(ballotLeaves[0]!, built.entries.length);
    for (const [, verify] of VERIFIERS) {
      expect(verdict(receipt, verify, against)).toBe("receipt/wrong_election");
      // Same election id but another validator set: the certificate does not verify.
      expect(verdict(receipt, verify, { ...trust, validators: against.validators })).toBe(
        "consensus/cert_bad_signature",
      );
    }
  });
});
