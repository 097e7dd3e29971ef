/**
 * One Byzantine validator against three honest processes (tracker issue 5). Validator 3 is
 * not a real node here: it is a libp2p peer in this test process holding validator 3's key
 * and listen address, so the honest validators admit it and dial it like any other. It
 * never votes honestly; it sends oversized frames, garbage, undecodable wire messages,
 * consensus messages with bad or forged signatures, validly signed junk proposals and
 * equivocating votes, forged equivocation evidence, and forwards invalid ballots. With f = 1
 * the three honest validators must keep committing ballots, stay healthy, agree block by
 * block, and count what it did; the evidence of its equivocation, seen by one of them, must
 * reach all three, and the election record they export must carry it to the auditor.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRecord } from "../../src/audit/audit.ts";
import { exportRecord } from "../../src/audit/export.ts";
import { DirectorySource, NodeSource } from "../../src/audit/source.ts";
import { apiRequest } from "../../src/cli/http-client.ts";
import { encodeWith } from "../../src/codec/schema.ts";
import { evidenceId } from "../../src/consensus/evidence.ts";
import {
  type ConsensusMessage,
  consensusStatement,
  DEFAULT_MAX_PAYLOAD_BYTES,
  leaderOf,
  messageCodecs,
} from "../../src/consensus/index.ts";
import { toHex } from "../../src/crypto/bytes.ts";
import { sign } from "../../src/crypto/ed25519.ts";
import {
  type BallotTx,
  decodeTransaction,
  encodeTransaction,
  signTransaction,
} from "../../src/ledger/transactions.ts";
import type { EvidencePageView, ResultsView } from "../../src/node/api/service.ts";
import { proposalHash } from "../../src/node/consensus-driver.ts";
import { ValidatorNetwork } from "../../src/node/p2p/validator-network.ts";
import { encodeWire, MAX_FRAME_BYTES } from "../../src/node/wire.ts";
import {
  describeNodes,
  type E2eElection,
  e2eElection,
  expectSameChain,
  logTails,
  makeBallots,
  metricValue,
  registerAndOpen,
  status,
  submitBallot,
  waitCommitted,
  waitFor,
} from "../support/e2e-cluster.ts";
import { signedEvidence, tamperedEvidence } from "../support/evidence.ts";

const VOTERS = 6;
const HONEST = [0, 1, 2];
const ROGUE = 3;
let e: E2eElection;
let rogue: ValidatorNetwork;
let honestUrls: string[];

const state = async () => `${await describeNodes(honestUrls)}\n${logTails(e.dir)}`;
const random = (n: number) => new Uint8Array(randomBytes(n));

beforeAll(async () => {
  e = await e2eElection({ name: "byzantine", portsFrom: 26000, voters: VOTERS });
  honestUrls = HONEST.map((i) => e.urls[i]!);
  for (const i of HONEST) e.cluster.start(i);
  rogue = new ValidatorNetwork({
    selfIndex: ROGUE,
    seed: e.setup.validators[ROGUE]!.seed,
    listen: `/ip4/127.0.0.1/tcp/${e.p2pBase + ROGUE}`,
    peers: e.setup.manifest.validators.map((v, index) => ({
      index,
      publicKey: v.publicKey,
      address: `/ip4/127.0.0.1/tcp/${e.p2pBase + index}`,
    })),
    maxFrameBytes: MAX_FRAME_BYTES,
    // Room for one oversized frame in the queue.
    maxQueuedBytesPerPeer: 2 * MAX_FRAME_BYTES,
    maxQueuedFramesPerPeer: 10_000,
    // What the honest validators send it is ignored: it never votes.
    onFrame: () => undefined,
    redialMinMs: 50,
    redialMaxMs: 500,
  });
  await rogue.start();
  await e.cluster.waitReady(HONEST, 90_000);
  await waitFor(
    "the rogue validator 3 to hold streams to the three honest ones",
    async () => rogue.connectedPeers().length === 3,
    30_000,
    state,
  );
}, 150_000);

afterAll(async () => {
  await rogue?.stop().catch(() => undefined);
  await e?.close();
}, 30_000);

const codecs = messageCodecs({ validatorCount: 4, maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES });
const consensusFrame = (m: ConsensusMessage) =>
  encodeWire({ kind: "consensus", message: encodeWith(codecs.message, m) });

/** Validator 3's real signature on a consensus statement: what only a Byzantine 3 can make. */
function signedBy3(
  type: "pre-prepare" | "prepare",
  height: number,
  view: number,
  blockHash: Uint8Array,
) {
  return sign(
    e.setup.validators[ROGUE]!.seed,
    consensusStatement(e.setup.electionId, type, height, view, blockHash, null),
  );
}

/** Invalid ballots with valid structure: one with a broken signature, one with a wrong proof. */
function invalidBallots(): Uint8Array[] {
  const [a, b] = makeBallots(e, [4, 5]);
  const txA = decodeTransaction(a!.tx) as BallotTx;
  const badSig = new Uint8Array(txA.sig);
  badSig[0]! ^= 0xff;
  const txB = decodeTransaction(b!.tx) as BallotTx;
  // Voter 5 signs voter 4's encrypted ballot: the signature is good, the proofs are bound to
  // voter 4's credential and fail for voter 5's.
  const { sig: _sig, ...unsignedB } = txB;
  const stolen = signTransaction<BallotTx>(
    { ...unsignedB, ballot: txA.ballot },
    e.setup.voters[5]!.seed,
  );
  return [encodeTransaction({ ...txA, sig: badSig }), encodeTransaction(stolen)];
}

/** One round of abuse to every honest validator, aimed at the height they are working on. */
async function abuse(invalidTxs: Uint8Array[]): Promise<void> {
  const s = await status(honestUrls[0]!);
  const height = s.height + 1;
  const view = s.view;
  const electionId = e.setup.electionId;
  for (const to of HONEST) {
    // Random bytes; a wire message of an unknown kind ({"kind": "nope"}); a CBOR float,
    // which the canonical decoder refuses.
    rogue.send(to, random(1 + ((to * 37) % 300)));
    rogue.send(
      to,
      new Uint8Array([0xa1, 0x64, 0x6b, 0x69, 0x6e, 0x64, 0x64, 0x6e, 0x6f, 0x70, 0x65]),
    );
    rogue.send(to, new Uint8Array([0xf9, 0x3c, 0x00]));
    // A consensus envelope around bytes that are no consensus message.
    rogue.send(to, encodeWire({ kind: "consensus", message: random(90) }));
    // A prepare from 3 with a made-up signature, and one claiming another honest sender.
    const forged = HONEST.find((i) => i !== to) ?? 0;
    for (const sender of [ROGUE, forged]) {
      rogue.send(
        to,
        consensusFrame({
          type: "prepare",
          electionId,
          height,
          view,
          sender,
          blockHash: random(32),
          sig: random(64),
        }),
      );
    }
    // Validly signed junk: a proposal that is no block, wherever 3 leads a coming view (a
    // new random one every round, so repeated rounds also equivocate on the proposal).
    for (let v = view; v < view + 4; v++) {
      if (leaderOf(height, v, 4) !== ROGUE) continue;
      const payload = random(200);
      rogue.send(
        to,
        consensusFrame({
          type: "pre-prepare",
          electionId,
          height,
          view: v,
          sender: ROGUE,
          payload,
          sig: signedBy3("pre-prepare", height, v, proposalHash(payload)),
        }),
      );
    }
    // Forwarded transactions: garbage, and ballots that do not verify.
    rogue.send(to, encodeWire({ kind: "txs", txs: [random(120), ...invalidTxs] }));
  }
}

/**
 * Two validly signed prepares of 3 for different blocks at one (height, view), sent to
 * validator `to` only: the others can learn of it only from `to`.
 */
async function equivocate(to: number): Promise<void> {
  const s = await status(honestUrls[0]!);
  const height = s.height + 1;
  for (let k = 0; k < 2; k++) {
    const blockHash = random(32);
    rogue.send(
      to,
      consensusFrame({
        type: "prepare",
        electionId: e.setup.electionId,
        height,
        view: s.view,
        sender: ROGUE,
        blockHash,
        sig: signedBy3("prepare", height, s.view, blockHash),
      }),
    );
  }
}

describe("a Byzantine validator 3 among three honest validator processes", () => {
  it("cannot stop them: they commit every ballot, agree, stay healthy and count the abuse", async () => {
    // Oversized frames first: each honest validator resets the stream at the length prefix;
    // the rogue redials, and everything below arrives on the new streams.
    for (const to of HONEST) rogue.send(to, new Uint8Array(MAX_FRAME_BYTES + 1));
    await waitFor(
      "the oversized frames to be refused",
      async () => {
        const counts = await Promise.all(
          honestUrls.map((u) =>
            metricValue(u, "saylau_p2p_peer_misbehaviour_total", { peer: String(ROGUE) }),
          ),
        );
        return counts.every((c) => c >= 1);
      },
      60_000,
      state,
    );
    await waitFor(
      "the rogue to reconnect after its streams were reset",
      async () => rogue.connectedPeers().length === 3,
      30_000,
      state,
    );

    // Equivocation while the validators are idle, so the height cannot move between the
    // two prepares. Only validator 0 sees it; it passes the evidence on to 1 and 2.
    await equivocate(HONEST[0]!);
    const evidenceAt = (url: string) => apiRequest<EvidencePageView>(url, "/v1/evidence");
    await waitFor(
      "the evidence to reach every honest validator",
      async () => {
        const pages = await Promise.all(honestUrls.map(evidenceAt));
        return pages.every((p) => p.evidence.some((e) => e.validator === ROGUE));
      },
      30_000,
      state,
    );
    const [seen, ...relayed] = await Promise.all(honestUrls.map(evidenceAt));
    expect(seen!.evidence).toHaveLength(1);
    expect(seen!.evidence[0]).toMatchObject({ validator: ROGUE, phase: "prepare" });
    for (const page of relayed) expect(page).toEqual(seen);
    expect(
      await metricValue(honestUrls[0]!, "saylau_consensus_equivocations_total", { source: "self" }),
    ).toBe(1);
    for (const url of honestUrls.slice(1)) {
      expect(
        await metricValue(url, "saylau_consensus_equivocations_total", { source: "peer" }),
      ).toBe(1);
    }

    // A genuine proof against 3, tampered with in every way (one copy names honest validator
    // 0 instead): each honest validator refuses every copy itself and passes none of them on
    // (else the others would count it twice).
    const genuine = signedEvidence(e.setup.validators[ROGUE]!.seed, e.setup.electionId, ROGUE, {
      height: 40,
      view: 3,
      phase: "commit",
    });
    const forged = tamperedEvidence(genuine, 4).map(([, bytes]) => bytes);
    for (const to of HONEST) {
      for (const bytes of forged) rogue.send(to, encodeWire({ kind: "evidence", evidence: bytes }));
    }
    await waitFor(
      "every forged evidence to be refused by every honest validator",
      async () => {
        const counts = await Promise.all(
          honestUrls.map((u) => metricValue(u, "saylau_evidence_rejected_total")),
        );
        return counts.every((c) => c >= forged.length);
      },
      30_000,
      state,
    );

    const invalidTxs = invalidBallots();
    let attacking = true;
    let rounds = 0;
    const attacker = (async () => {
      while (attacking) {
        await abuse(invalidTxs).catch(() => undefined);
        rounds++;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await registerAndOpen(e, honestUrls[0]!, honestUrls, 90_000);
      const ballots = makeBallots(e, [0, 1, 2, 3, 4, 5]);
      const replies = await Promise.all(
        ballots.map((b, i) => submitBallot(honestUrls[i % 3]!, b.tx)),
      );
      await waitCommitted(
        honestUrls,
        replies.map((r) => r.id),
        120_000,
        state,
      );
      // The honest validators keep going for as long as the abuse does.
      await waitFor("a few more rounds of abuse", async () => rounds >= 10, 30_000, state);
    } finally {
      attacking = false;
      await attacker;
    }

    await expectSameChain(honestUrls, 3, 60_000, () => logTails(e.dir));
    for (const url of honestUrls) {
      expect(await metricValue(url, "saylau_evidence_rejected_total"), url).toBe(forged.length);
      const page = await apiRequest<EvidencePageView>(url, "/v1/evidence");
      // The abuse's junk proposals are equivocations too; every proof accuses 3 alone.
      expect(
        page.evidence.every((item) => item.validator === ROGUE),
        url,
      ).toBe(true);
    }
    for (const url of honestUrls) {
      const health = await fetch(new URL("/healthz", url));
      expect(health.status, `${url}/healthz`).toBe(200);
      const results = await apiRequest<ResultsView>(url, "/v1/results");
      // Exactly the six honest ballots: none of the forwarded invalid ones got in.
      expect(results).toMatchObject({ ballots: VOTERS, voters: VOTERS });
      const metric = (name: string, labels: Record<string, string> = {}) =>
        metricValue(url, name, labels);
      // Oversized and undecodable frames, counted against validator 3.
      expect(
        await metric("saylau_p2p_peer_misbehaviour_total", { peer: String(ROGUE) }),
      ).toBeGreaterThanOrEqual(2);
      expect(
        await metric("saylau_consensus_dropped_messages_total", {
          reason: "consensus/bad_signature",
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        await metric("saylau_consensus_dropped_messages_total", { reason: "consensus/malformed" }),
      ).toBeGreaterThanOrEqual(1);
      expect(await metric("saylau_consensus_equivocations_total")).toBeGreaterThanOrEqual(1);
      // The forwarded ballots that do not verify were refused at admission.
      expect(await metric("saylau_rejected_transactions_total")).toBeGreaterThanOrEqual(1);
    }
    for (const i of HONEST) {
      const log = readFileSync(join(e.dir, "validators", String(i), "node.log"), "utf8");
      expect(log, `validator ${i} log`).toMatch(/-byte frame, limit/);
      expect(log).not.toMatch(/"level":60/); // nothing fatal
      expect(log).toMatch(/evidence does not verify: dropped/);
    }

    // The record exported from validator 1 carries the evidence, and the audit names 3.
    const work = mkdtempSync(join(tmpdir(), "saylau-byzantine-export-"));
    try {
      const dir = join(work, "record");
      const source = new NodeSource(honestUrls[1]!);
      const held = (await apiRequest<EvidencePageView>(honestUrls[1]!, "/v1/evidence")).evidence;
      const summary = await exportRecord(source, dir);
      expect(summary.evidence).toBe(held.length);
      expect(readdirSync(join(dir, "evidence")).sort()).toEqual(
        held.map((item) => `${item.id}.cbor`),
      );
      const report = await auditRecord(new DirectorySource(dir), { workers: 1 });
      expect(report.evidence.accused).toEqual([
        { validator: ROGUE, name: e.setup.manifest.validators[ROGUE]!.name, items: held.length },
      ]);
      // One forged proof slipped into the export, under its own id: the audit refuses it.
      const [bad] = forged;
      writeFileSync(join(dir, "evidence", `${toHex(evidenceId(bad!))}.cbor`), bad!);
      await expect(auditRecord(new DirectorySource(dir), { workers: 1 })).rejects.toMatchObject({
        code: "audit/bad_evidence",
        height: null,
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
