import { describe, expect, it } from "vitest";
import { encodeWith } from "../../../src/codec/schema.ts";
import {
  type Action,
  consensusStatement,
  leaderOf,
  quorumSize,
  verifyCertificate,
  verifyEvidence,
} from "../../../src/consensus/index.ts";
import { bytesEqual } from "../../../src/crypto/bytes.ts";
import { blockHash } from "../../sim/block.ts";
import { ManualCluster, payloadFor, TIMEOUTS } from "./harness.ts";

const sends = (actions: Action[]) => actions.filter((a) => a.type === "send");

describe("consensus engine, scripted", () => {
  it("decides a proposal with a certificate of q distinct validators, persisting before every send", () => {
    const c = new ManualCluster(4);
    const leader = leaderOf(1, 0, 4);
    c.propose(leader, payloadFor(1, leader));
    c.deliver();
    for (let i = 0; i < 4; i++) {
      expect(c.decided[i]!.map((d) => d.height)).toEqual([1]);
      expect(bytesEqual(c.decided[i]![0]!.payload, payloadFor(1, leader))).toBe(true);
      expect(c.decided[i]![0]!.signers).toBeGreaterThanOrEqual(quorumSize(4));
      expect(c.engines[i]!.height).toBe(2);
      // Every signed message this replica sent was persisted earlier in the same action list.
      const log = c.log[i]!;
      log.forEach((a, k) => {
        if (a.type !== "send" || a.message.sender !== i) return;
        const persistedBefore = log.slice(0, k).some((p) => p.type === "persist");
        expect(persistedBefore).toBe(true);
      });
    }
  });

  it("one validator's stray PREPARE does not make idle replicas change view; f+1 do", () => {
    const c = new ManualCluster(4);
    const hash = blockHash(payloadFor(1, 3));
    const prepareFrom = (sender: number) => c.prepareFrom(sender, hash);
    const viewChanges = () =>
      c.inbox.filter((m) => m.message.type === "view-change").map((m) => m.from);
    // Validator 3 alone signs a PREPARE for a block nobody proposed; nobody has work pending.
    for (const to of [0, 1, 2]) c.run(to, c.engines[to]!.step(prepareFrom(3)));
    c.tickAll(TIMEOUTS.maxMs * 4);
    expect(viewChanges()).toEqual([]);
    expect(c.engines.map((e) => e.view)).toEqual([0, 0, 0, 0]);
    // A second validator's message at this height: f+1 = 2 senders, so at least one honest
    // validator is working on it, and the view timer runs.
    c.run(0, c.engines[0]!.step(prepareFrom(2)));
    c.tickAll(TIMEOUTS.maxMs * 5);
    expect(viewChanges()).toContain(0);
  });

  it("two VIEW-CHANGEs from one validator naming different prepared blocks are evidence", () => {
    const c = new ManualCluster(4);
    const leader = leaderOf(1, 0, 4);
    const rogue = leader === 3 ? 2 : 3;
    const replica = [0, 1, 2, 3].find((i) => i !== leader && i !== rogue)!;
    c.propose(leader, payloadFor(1, leader));
    // Everyone prepares in view 0; no COMMIT is delivered, so nothing is decided.
    c.deliver((m) => m.message.type !== "commit");
    c.inbox = [];
    // The rogue's timer expires: it asks for view 1 naming its prepared certificate...
    c.run(rogue, c.engines[rogue]!.tick(TIMEOUTS.baseMs));
    const honestLooking = c.inbox.find(
      (m) => m.from === rogue && m.to === replica && m.message.type === "view-change",
    )!;
    expect(honestLooking.message.type === "view-change" && honestLooking.message.prepared).not.toBe(
      null,
    );
    // ...and also signs one for view 1 that claims it prepared nothing.
    const claimsNothing = encodeWith(c.engines[0]!.codecs.message, {
      type: "view-change",
      electionId: c.electionId,
      height: 1,
      view: 1,
      sender: rogue,
      prepared: null,
      sig: c.crypto
        .signerFor(rogue)
        .sign(consensusStatement(c.electionId, "view-change", 1, 1, null, null)),
    } as never);
    expect(c.engines[replica]!.step(honestLooking.bytes).some((a) => a.type === "dropped")).toBe(
      false,
    );
    const reaction = c.engines[replica]!.step(claimsNothing);
    const evidence = reaction.find((a) => a.type === "evidence");
    expect(evidence?.type).toBe("evidence");
    if (evidence?.type === "evidence") {
      expect(evidence.evidence).toMatchObject({ validator: rogue, view: 1, phase: "view-change" });
      expect(() =>
        verifyEvidence(c.electionId, c.crypto.publicKeys, evidence.evidence, c.crypto.verify),
      ).not.toThrow();
      // Tampering with either statement breaks it.
      const tampered = {
        ...evidence.evidence,
        second: { ...evidence.evidence.second, preparedView: 5 },
      };
      expect(() =>
        verifyEvidence(c.electionId, c.crypto.publicKeys, tampered, c.crypto.verify),
      ).toThrow();
    }
    // Sent again, the conflicting one is dropped before any check, and reported no more.
    const again = c.engines[replica]!.step(claimsNothing);
    expect(again.some((a) => a.type === "evidence")).toBe(false);
    expect(again.find((a) => a.type === "dropped")).toMatchObject({
      reason: "consensus/duplicate",
    });
  });

  it("leader crash mid-round: the others change view and decide another proposal", () => {
    const c = new ManualCluster(4);
    const leader = leaderOf(1, 0, 4);
    for (let i = 0; i < 4; i++) c.propose(i, payloadFor(1, i));
    // The leader's pre-prepare reaches one replica only, then the leader is gone.
    const first = c.inbox.find((m) => m.message.type === "pre-prepare")!;
    c.deliver((m) => m === first);
    c.crash(leader);
    c.deliver();
    expect(c.decided.every((d) => d.length === 0)).toBe(true);
    c.tickAll(TIMEOUTS.baseMs);
    c.deliver();
    const next = leaderOf(1, 1, 4);
    for (let i = 0; i < 4; i++) {
      if (i === leader) continue;
      expect(c.decided[i]!.map((d) => d.view)).toEqual([1]);
      expect(bytesEqual(c.decided[i]![0]!.payload, payloadFor(1, next))).toBe(true);
    }
  });

  it("a new view re-proposes the highest prepared block, and that block is decided", () => {
    const c = new ManualCluster(4);
    const leader = leaderOf(1, 0, 4);
    for (let i = 0; i < 4; i++) c.propose(i, payloadFor(1, i));
    // Everyone prepares the leader's block, but every COMMIT is lost and the leader dies.
    c.deliver((m) => m.message.type !== "commit");
    c.inbox = c.inbox.filter((m) => m.message.type !== "commit");
    c.crash(leader);
    expect(c.decided.every((d) => d.length === 0)).toBe(true);
    c.tickAll(TIMEOUTS.baseMs);
    const newView = c.inbox.find((m) => m.message.type === "new-view");
    c.deliver();
    const nv = c.log.flat().find((a) => a.type === "send" && a.message.type === "new-view");
    expect(nv).toBeDefined();
    if (nv?.type === "send" && nv.message.type === "new-view") {
      expect(nv.message.prePrepare).not.toBeNull();
      expect(bytesEqual(nv.message.prePrepare!.payload, payloadFor(1, leader))).toBe(true);
    }
    expect(newView === undefined || newView.message.type === "new-view").toBe(true);
    for (let i = 0; i < 4; i++) {
      if (i === leader) continue;
      expect(c.decided[i]!.length).toBe(1);
      expect(c.decided[i]![0]!.view).toBe(1);
      expect(bytesEqual(c.decided[i]![0]!.payload, payloadFor(1, leader))).toBe(true);
    }
  });

  it("a replica that refused a block as a fresh proposal is asked again when a NEW-VIEW forces it", () => {
    const c = new ManualCluster(4);
    const leader = leaderOf(1, 0, 4);
    const next = leaderOf(1, 1, 4);
    const refuser = [0, 1, 2, 3].find((i) => i !== leader && i !== next)!;
    // The refuser's predicate says no to fresh proposals (as a node does to a block whose
    // time is too far from its clock) and yes to re-proposals of a prepared block.
    const asked: boolean[] = [];
    c.judge = (i, a) => {
      if (i !== refuser) return true;
      asked.push(a.reproposal);
      return a.reproposal;
    };
    for (let i = 0; i < 4; i++) c.propose(i, payloadFor(1, i));
    // The leader and the two others prepare its block; every COMMIT is lost; the leader dies.
    c.deliver((m) => m.message.type !== "commit");
    c.inbox = c.inbox.filter((m) => m.message.type !== "commit");
    c.crash(leader);
    expect(c.decided.every((d) => d.length === 0)).toBe(true);
    c.tickAll(TIMEOUTS.baseMs);
    c.deliver();
    // Without the refuser's vote the two others cannot reach q = 3.
    expect(asked).toEqual([false, true]);
    for (let i = 0; i < 4; i++) {
      if (i === leader) continue;
      expect(c.decided[i]!.map((d) => d.view)).toEqual([1]);
      expect(bytesEqual(c.decided[i]![0]!.payload, payloadFor(1, leader))).toBe(true);
    }
  });

  it("a block refused again as a re-proposal is not asked about a third time", () => {
    const c = new ManualCluster(4);
    const leader = leaderOf(1, 0, 4);
    const next = leaderOf(1, 1, 4);
    const refuser = [0, 1, 2, 3].find((i) => i !== leader && i !== next)!;
    let asked = 0;
    c.judge = (i) => {
      if (i !== refuser) return true;
      asked++;
      return false;
    };
    for (let i = 0; i < 4; i++) c.propose(i, payloadFor(1, i));
    c.deliver((m) => m.message.type !== "commit");
    c.inbox = c.inbox.filter((m) => m.message.type !== "commit");
    c.crash(leader);
    c.tickAll(TIMEOUTS.baseMs);
    c.deliver();
    c.tickAll(TIMEOUTS.baseMs * 4);
    c.deliver();
    expect(asked).toBe(2);
    expect(c.decided[refuser]!).toEqual([]);
  });

  it("restart after PREPARE before COMMIT: resends the same vote, refuses a conflicting one, then decides", () => {
    const c = new ManualCluster(4);
    const leader = leaderOf(1, 0, 4);
    const replica = (leader + 1) % 4;
    c.propose(leader, payloadFor(1, leader));
    c.deliver((m) => m.message.type === "pre-prepare");
    const prepare = c.inbox.find((m) => m.from === replica && m.message.type === "prepare")!;
    expect(prepare).toBeDefined();
    c.crash(replica);
    const resent = sends(c.restart(replica));
    const resentPrepare = resent.find((a) => a.type === "send" && a.message.type === "prepare");
    expect(resentPrepare?.type === "send" && bytesEqual(resentPrepare.bytes, prepare.bytes)).toBe(
      true,
    );
    // An equivocating leader now offers the restarted replica another block for (1, 0).
    const fork = payloadFor(1, leader, 1);
    const forkedPrePrepare = encodeWith(c.engines[leader]!.codecs.message, {
      type: "pre-prepare",
      electionId: c.electionId,
      height: 1,
      view: 0,
      sender: leader,
      payload: fork,
      sig: c.crypto
        .signerFor(leader)
        .sign(consensusStatement(c.electionId, "pre-prepare", 1, 0, blockHash(fork), null)),
    });
    const reaction = c.engines[replica]!.step(forkedPrePrepare);
    // It already signed a PREPARE for (1, 0) before the crash: it signs nothing else.
    expect(reaction.some((a) => a.type === "send" || a.type === "persist")).toBe(false);
    // The leader's original proposal arriving again now proves the leader equivocated.
    const original = c.log[leader]!.find(
      (a) => a.type === "send" && a.message.type === "pre-prepare",
    );
    expect(original?.type).toBe("send");
    const again = c.engines[replica]!.step(
      original!.type === "send" ? original!.bytes : new Uint8Array(),
    );
    const evidence = again.find((a) => a.type === "evidence");
    expect(evidence?.type).toBe("evidence");
    if (evidence?.type === "evidence") {
      expect(evidence.evidence.validator).toBe(leader);
      expect(() =>
        verifyEvidence(c.electionId, c.crypto.publicKeys, evidence.evidence, c.crypto.verify),
      ).not.toThrow();
    }
    c.run(replica, again);
    c.deliver();
    for (let i = 0; i < 4; i++) expect(c.decided[i]!.map((d) => d.height)).toEqual([1]);
  });

  it("a lagging replica fetches, verifies certificates, catches up and takes part again", () => {
    const c = new ManualCluster(4);
    const lagging = 3;
    c.crash(lagging);
    for (let h = 1; h <= 3; h++) {
      for (let i = 0; i < 3; i++) c.propose(i, payloadFor(h, i));
      c.deliver();
      // Height 3's first leader is the missing replica: the others time out and move on.
      if (c.decided[0]!.length < h) {
        c.tickAll(c.now + TIMEOUTS.maxMs);
        c.deliver();
      }
    }
    expect(c.decided[0]!.length).toBe(3);
    c.down.delete(lagging);
    for (let i = 0; i < 3; i++) c.propose(i, payloadFor(4, i));
    c.deliver((m) => m.to !== lagging);
    // Messages of height 4 reach the lagging replica: it asks for blocks from its height 1.
    c.deliver((m) => m.to === lagging, 1);
    expect(c.fetches.some((f) => f.node === lagging && f.fromHeight === 1)).toBe(true);
    const served = c.log[0]!.filter((a) => a.type === "decide");
    for (const d of served) {
      if (d.type !== "decide") continue;
      expect(() =>
        verifyCertificate(c.electionId, c.crypto.publicKeys, d.certificate, c.crypto.verify),
      ).not.toThrow();
      // A certificate that does not match the payload is refused.
      const wrong = c.engines[lagging]!.deliverDecided({
        height: d.height,
        payload: payloadFor(d.height, 99),
        certificate: d.certificate,
      });
      expect(wrong.map((a) => a.type)).toEqual(["dropped"]);
      c.run(
        lagging,
        c.engines[lagging]!.deliverDecided({
          height: d.height,
          payload: d.payload,
          certificate: d.certificate,
        }),
      );
    }
    expect(c.decided[lagging]!.map((d) => d.height)).toEqual([1, 2, 3, 4]);
    expect(c.engines[lagging]!.height).toBe(5);
    for (let i = 0; i < 4; i++) c.propose(i, payloadFor(5, i));
    c.deliver();
    for (let i = 0; i < 4; i++) expect(c.decided[i]!.length).toBe(5);
  });
});
