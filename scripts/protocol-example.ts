/**
 * Prints the worked example of docs/PROTOCOL.md §13 (and the challenge example of
 * docs/ELECTION-CRYPTO.md) from fixed seeds. The documents are checked against this output
 * by test/unit/docs/protocol-example.test.ts (and the rules they state, on this election, by
 * test/unit/docs/spec-rules.test.ts); rerun this script and paste its output when a format
 * changes.
 *   npx node scripts/protocol-example.ts
 *
 * The example election: one region "R1" with districts "D1" and "D2"; contest 0 "L"
 * (options "a", "b", limit 1) is on D1's ballots only, contest 1 "Q" (options "yes", "no",
 * limit 1) is national; a commission of three members of whom two must sign; four
 * validators; one trustee with threshold 1; one voter, registered to D2, so the ballot
 * carries contest 1 alone. Polls open 90 s and close 150 s after createdAt. Block 1 (60 s)
 * holds the commission's approval and the voter's registration; block 2 (120 s, polls
 * open) the voter's ballot for "yes"; block 3 (180 s, polls closed) the trustee's
 * decryption share of D2's tally (D1, with no ballot, has its all-zero result at the close).
 * Every random choice (keys, ceremony, ballot nonces, proof nonces) comes from a seed, so
 * the bytes are reproducible.
 */
import { expand_message_xmd } from "@noble/curves/abstract/hash-to-curve.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { encodeCertificate } from "../src/consensus/certificate.ts";
import { commitStatement } from "../src/consensus/statements.ts";
import { concatBytes, toHex, utf8 } from "../src/crypto/bytes.ts";
import { sign } from "../src/crypto/ed25519.ts";
import { sha256 } from "../src/crypto/hash.ts";
import { selectionStatement } from "../src/election/ballot.ts";
import { scalarToBytes } from "../src/election/group.ts";
import { DST, hashToScalar } from "../src/election/hash-to-scalar.ts";
import { seededRng } from "../src/election/rng.ts";
import { encodeTally, tallyHash } from "../src/election/tally.ts";
import { trackingCode } from "../src/election/tracking-code.ts";
import { encodeHeader, headerHash } from "../src/ledger/block.ts";
import { ledgerContext } from "../src/ledger/context.ts";
import { createElection } from "../src/ledger/election-setup.ts";
import { MemoryLedger } from "../src/ledger/memory-ledger.ts";
import { encodeState, stateHash } from "../src/ledger/state.ts";
import {
  type BallotTx,
  decodeTransaction,
  signingMessage,
  txId,
} from "../src/ledger/transactions.ts";
import {
  ballotTx,
  commissionDecision,
  commissionTx,
  decryptionTx,
  registerTx,
} from "../src/ledger/tx-builders.ts";

const EXAMPLE_CREATED_AT = 1_780_000_000_000;
/** Block i is proposed by validator i at createdAt + i minutes. */
const blockTime = (height: number) => EXAMPLE_CREATED_AT + height * 60_000;
/** The validators whose COMMIT signatures make block 1's certificate (q = 3 of N = 4). */
const EXAMPLE_SIGNERS = [0, 1, 2] as const;

const seed = (label: string) => sha256(utf8(label));

/** The example's election: keys, ceremony and manifest, all from one seed. */
function exampleElection() {
  return createElection({
    name: "Worked example",
    createdAt: EXAMPLE_CREATED_AT,
    seed: seed("saylau protocol example"),
    validators: 4,
    trustees: 1,
    threshold: 1,
    voters: 1,
    contests: [
      { label: "L", options: ["a", "b"], limit: 1 },
      { label: "Q", options: ["yes", "no"], limit: 1 },
    ],
    commission: { members: 3, threshold: 2 },
    schedule: {
      opensAt: EXAMPLE_CREATED_AT + 90_000,
      closesAt: EXAMPLE_CREATED_AT + 150_000,
      timeZone: "Asia/Almaty",
    },
    regions: [
      {
        id: "R1",
        name: "Region 1",
        districts: [
          { id: "D1", name: "District 1" },
          { id: "D2", name: "District 2" },
        ],
      },
    ],
    scopes: [
      { level: "district", index: 0 },
      { level: "national", index: 0 },
    ],
  });
}

/** The example voter's district: D2, whose ballot style is contest 1 alone. */
export const EXAMPLE_DISTRICT = 1;

/**
 * Builds the example's three blocks through MemoryLedger, which validates each one as a
 * replica would, and returns the objects the documents show with the ledger after block 3.
 */
export function buildExample() {
  const setup = exampleElection();
  const ctx = ledgerContext(setup.manifestBytes);
  const ledger = new MemoryLedger(ctx);
  const genesis = ledger.tip;
  const voter = setup.voters[0]!;
  const trustee = setup.trustees[0]!;

  const approve = commissionTx(
    commissionDecision(setup.electionId, "approve", setup.manifest.schedule.closesAt),
    [
      { member: 0, key: setup.commission[0]! },
      { member: 2, key: setup.commission[2]! },
    ],
  );
  const register = registerTx(setup.electionId, setup.registrars[0]!, EXAMPLE_DISTRICT, [
    voter.publicKey,
  ]);
  const block1 = ledger.propose([approve, register], blockTime(1), 1);
  if (block1.block.txs.length !== 2) throw new Error("the example's block 1 lost a transaction");
  ledger.commit(block1.block);
  const statement = commitStatement(setup.electionId, 1, 0, block1.hash);
  const certificate = encodeCertificate({
    height: 1,
    view: 0,
    blockHash: block1.hash,
    signatures: EXAMPLE_SIGNERS.map((v) => ({
      validator: v,
      sig: sign(setup.validators[v]!.seed, statement),
    })),
  });

  const ballot = ballotTx(
    ctx,
    voter,
    EXAMPLE_DISTRICT,
    [[1, 0]],
    1,
    seededRng(seed("saylau protocol example ballot")),
  );
  const block2 = ledger.propose([ballot], blockTime(2), 2);
  if (block2.block.txs.length !== 1) throw new Error("the example's block 2 lost a transaction");
  ledger.commit(block2.block);
  const tally = ledger.tip.state.districts[EXAMPLE_DISTRICT]!.tally;

  const decryption = decryptionTx(
    ctx,
    trustee,
    EXAMPLE_DISTRICT,
    tally,
    seededRng(seed("saylau protocol example decryption")),
  );
  const block3 = ledger.propose([decryption], blockTime(3), 3);
  if (block3.block.txs.length !== 1) throw new Error("the example's block 3 lost a transaction");
  ledger.commit(block3.block);
  return {
    setup,
    ctx,
    ledger,
    genesis,
    approve,
    register,
    block1,
    statement,
    certificate,
    ballot,
    tally,
    decryption,
  };
}

/** Every value the documents state, as hex (and the tracking code and result as text). */
export function protocolExample() {
  const {
    setup,
    ctx,
    ledger,
    genesis,
    approve,
    register,
    block1,
    statement,
    certificate,
    ballot,
    tally,
    decryption,
  } = buildExample();
  const voter = setup.voters[0]!;
  const trustee = setup.trustees[0]!;

  // The challenge of the first selection proof (contest 0, option 0), spelled out.
  const body = (decodeTransaction(ballot) as BallotTx).ballot;
  const sel = body.contests[0]!.selections[0]!;
  const st = selectionStatement(
    ctx.districtCrypto[EXAMPLE_DISTRICT]!,
    voter.publicKey,
    0,
    0,
    sel.alpha,
    sel.beta,
  );
  const challengeMessage = concatBytes(
    st.context,
    st.alphaBytes,
    st.betaBytes,
    ...sel.proof.flatMap((br) => [br.a, br.b]),
  );

  return {
    manifest: toHex(setup.manifestBytes),
    electionId: toHex(setup.electionId),
    commissionMembers: setup.commission.map((m) => toHex(m.publicKey)).join(" "),
    registrar: toHex(setup.registrars[0]!.publicKey),
    credential: toHex(voter.publicKey),
    trusteeKey: toHex(trustee.signing.publicKey),
    jointKey: toHex(setup.manifest.election.jointKey),
    genesisState: toHex(encodeState(genesis.state)),
    genesisStateHash: toHex(stateHash(genesis.state)),
    genesisHeader: toHex(encodeHeader(genesis.header)),
    genesisHash: toHex(genesis.hash),
    approveTx: toHex(approve),
    approveSigningMessage: toHex(signingMessage(decodeTransaction(approve))),
    approveTxId: toHex(txId(approve)),
    registerTx: toHex(register),
    registerSigningMessage: toHex(signingMessage(decodeTransaction(register))),
    registerTxId: toHex(txId(register)),
    block1Header: toHex(encodeHeader(block1.block.header)),
    block1Hash: toHex(headerHash(block1.block.header)),
    commitStatement: toHex(statement),
    block1Certificate: toHex(certificate),
    ballotTx: toHex(ballot),
    ballotSigningMessage: toHex(signingMessage(decodeTransaction(ballot))),
    ballotTxId: toHex(txId(ballot)),
    trackingCode: trackingCode(txId(ballot)),
    selectionChallengeMessage: toHex(challengeMessage),
    selectionChallengeUniform: toHex(
      expand_message_xmd(challengeMessage, DST.selectionProof, 48, sha512),
    ),
    selectionChallenge: toHex(scalarToBytes(hashToScalar(DST.selectionProof, challengeMessage))),
    tally: toHex(encodeTally(tally)),
    tallyHash: toHex(tallyHash(tally)),
    decryptionTx: toHex(decryption),
    decryptionTxId: toHex(txId(decryption)),
    result: JSON.stringify(ledger.tip.state.districts.map((d) => d.result)),
    credentialsLattice: toHex(ledger.tip.state.credentialsLattice.digest()),
  };
}

/** How the documents show long byte strings: 64 hex digits (32 bytes) a line. */
function wrapHex(hex: string): string {
  return hex.match(/.{1,64}/g)!.join("\n");
}

if (import.meta.main) {
  for (const [k, v] of Object.entries(protocolExample())) {
    if (v.length > 64 && /^[0-9a-f]+$/.test(v)) {
      console.log(`${k} (${v.length / 2} bytes):\n\`\`\`hex ${k}\n${wrapHex(v)}\n\`\`\``);
    } else {
      console.log(`${k}: ${v}`);
    }
  }
}
