/**
 * The driver sends a consensus message only once the WAL records before it are durable, and
 * keeps handling inputs while a record is on its way to disk, so that their records share
 * the next write. A held ("slow") store decides when each write completes.
 */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { decodeWith } from "../../../src/codec/schema.ts";
import { ConsensusEngine } from "../../../src/consensus/engine.ts";
import type { Action } from "../../../src/consensus/types.ts";
import { utf8 } from "../../../src/crypto/bytes.ts";
import { keyPairFromSeed, sign, verifySignature } from "../../../src/crypto/ed25519.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { ConsensusDriver, proposalHash } from "../../../src/node/consensus-driver.ts";
import { ConsensusWal } from "../../../src/node/consensus-wal.ts";
import { until } from "../../support/cluster.ts";
import { settle, slowStore } from "../../support/slow-store.ts";

const N = 4;
const seeds = Array.from({ length: N }, (_, i) => sha256(utf8(`driver test validator ${i}`)));
const validators = seeds.map((s) => keyPairFromSeed(s).publicKey);
const electionId = sha256(utf8("driver test election"));
const LEADER = 1; // of height 1, view 0: (height + view) mod N
const payload = utf8("a proposal");

function engineFor(i: number): ConsensusEngine {
  return new ConsensusEngine({
    electionId,
    validators,
    self: i,
    signer: { sign: (m) => sign(seeds[i]!, m) },
    verify: verifySignature,
    proposalHash,
    startHeight: 1,
    timeouts: { baseMs: 60_000, backoff: 2, maxMs: 60_000 },
  });
}

function sends(actions: readonly Action[]): Uint8Array[] {
  return actions.flatMap((a) => (a.type === "send" ? [a.bytes] : []));
}

/**
 * What the others will send the leader for this payload (signatures are deterministic): the
 * PREPAREs of validators 2 and 3 in answer to its PRE-PREPARE, then their COMMITs.
 */
function script() {
  const leader = engineFor(LEADER);
  const [prePrepare, leaderPrepare] = sends(leader.propose(payload));
  const peers = [2, 3].map((i) => engineFor(i));
  const prepares = peers.map((e) => {
    const asked = e.step(prePrepare!).find((a) => a.type === "validate");
    if (asked?.type !== "validate") throw new Error("expected a validate action");
    return sends(e.validated(asked.height, asked.blockHash, true))[0]!;
  });
  const commits = peers.map((e, k) => {
    e.step(leaderPrepare!);
    return sends(e.step(prepares[1 - k]!))[0]!;
  });
  return { prepares, commits };
}

const stores: Awaited<ReturnType<typeof slowStore>>[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function leaderDriver() {
  const s = await slowStore();
  stores.push(s);
  const sent: string[] = [];
  const committed: number[] = [];
  const settled = { count: 0 };
  const typeOf = (bytes: Uint8Array) =>
    decodeWith(driver.engine.codecs.message, bytes, driver.engine.codecs.maxMessageBytes).type;
  const driver = new ConsensusDriver({
    electionId,
    validators,
    self: LEADER,
    seed: seeds[LEADER]!,
    startHeight: 1,
    timeoutMs: 60_000,
    wal: new ConsensusWal(s.db, true),
    logger: pino({ level: "silent" }),
    hooks: {
      send: (_to, bytes) => sent.push(typeOf(bytes)),
      validate: async () => true,
      commit: async (height) => void committed.push(height),
      fetch: () => {},
      peerBehind: () => {},
      evidence: async () => {},
      dropped: () => {},
      settled: () => void settled.count++,
    },
  });
  await driver.start();
  return { s, driver, sent, committed, settled };
}

describe("consensus driver and its WAL", () => {
  it("sends a message only once its WAL record is durable", async () => {
    const { s, driver, sent } = await leaderDriver();
    driver.propose(payload);
    await until("the WAL write to be issued", () => s.writes.length === 1);
    await settle();
    // The PRE-PREPARE and the leader's own PREPARE: two records, one synced write, no message.
    expect(s.writes.map((w) => [w.ops, w.sync])).toEqual([[2, true]]);
    expect(sent).toEqual([]);
    s.writes[0]!.release();
    await until("both messages to be sent", () => sent.length === 2, 5000);
    expect(sent).toEqual(["pre-prepare", "prepare"]);
    await driver.stop();
  });

  it("handles inputs while a record is being written; their records share the next write", async () => {
    const { s, driver, sent } = await leaderDriver();
    const { prepares } = script();
    driver.propose(payload);
    await until("the WAL write to be issued", () => s.writes.length === 1);
    // Two PREPAREs arrive during the fsync: the leader is prepared and COMMITs, in memory.
    for (const p of prepares) driver.step(p);
    await settle();
    expect(sent).toEqual([]);
    expect(s.writes).toHaveLength(1);

    s.writes[0]!.release();
    await until("the first messages to be sent", () => sent.length === 2, 5000);
    await until("the next write to be issued", () => s.writes.length === 2, 5000);
    // The prepared certificate and the COMMIT: one write for both.
    expect(s.writes.map((w) => [w.ops, w.sync])).toEqual([
      [2, true],
      [2, true],
    ]);
    await settle();
    expect(sent).toEqual(["pre-prepare", "prepare"]); // the COMMIT waits for its record
    s.writes[1]!.release();
    await until("the COMMIT to be sent", () => sent.length === 3, 5000);
    expect(sent).toEqual(["pre-prepare", "prepare", "commit"]);
    await driver.stop();
  });

  it("does not hold the next height up for the pruning of a decided one", async () => {
    const { s, driver, sent, committed, settled } = await leaderDriver();
    const { prepares, commits } = script();
    driver.propose(payload);
    await until("the first WAL write", () => s.writes.length === 1, 5000);
    s.writes[0]!.release();
    for (const p of prepares) driver.step(p);
    await until("the second WAL write", () => s.writes.length === 2, 5000);
    s.writes[1]!.release();
    await until("the COMMIT to be sent", () => sent.includes("commit"), 5000);
    const before = settled.count;
    for (const c of commits) driver.step(c);
    await until("the block to be committed", () => committed.length === 1, 5000);
    // Pruning height 1 starts with a synced write (so the block is on disk first): held here,
    // while the driver has finished the input that decided and takes the next ones.
    await until("the pruning's synced write", () => s.writes.length === 3, 5000);
    expect(s.writes.map((w) => [w.ops, w.sync])[2]).toEqual([1, true]);
    await until("both inputs to be handled", () => settled.count === before + 2, 5000);
    expect(driver.engine.height).toBe(2);
    const wal = new ConsensusWal(s.db, true);
    expect(await wal.load(1)).toHaveLength(4); // not pruned yet
    s.writes[2]!.release();
    await driver.stop(); // waits for the pruning
    expect(await wal.load(1)).toHaveLength(0);
  });

  it("never sends a message whose record could not be written, nor any later one", async () => {
    const { s, driver, sent } = await leaderDriver();
    const { prepares } = script();
    driver.propose(payload);
    await until("the WAL write to be issued", () => s.writes.length === 1);
    for (const p of prepares) driver.step(p);
    s.writes[0]!.fail(new Error("disk gone"));
    await until("the driver to stop", () => driver.failure !== undefined, 5000);
    await settle();
    for (const w of s.writes) w.release();
    await settle();
    expect(driver.failure?.message).toBe("disk gone");
    expect(sent).toEqual([]);
    await driver.stop();
  });

  it("tells the validate hook how long a proposal waited in the queue behind a slow input", async () => {
    // Validators 1-3 run height 1 among themselves; validator 0 (the driver) receives their
    // messages, decides height 1, and its commit is held while height 2's PRE-PREPARE (from
    // validator 2, its leader) arrives. The proposal's wait is what the hook is told.
    const s = await slowStore();
    stores.push(s);
    let releaseCommit: () => void = () => {};
    let commitAsked = false;
    const waits: { height: number; waitedMs: number }[] = [];
    const driver = new ConsensusDriver({
      electionId,
      validators,
      self: 0,
      seed: seeds[0]!,
      startHeight: 1,
      timeoutMs: 60_000,
      wal: new ConsensusWal(s.db, false),
      logger: pino({ level: "silent" }),
      hooks: {
        send: () => {},
        validate: async (height, _hash, _payload, _reproposal, waitedMs) => {
          waits.push({ height, waitedMs });
          return true;
        },
        commit: (height) => {
          if (height !== 1) return Promise.resolve();
          commitAsked = true;
          return new Promise<void>((r) => {
            releaseCommit = r;
          });
        },
        fetch: () => {},
        peerBehind: () => {},
        evidence: async () => {},
        dropped: () => {},
        settled: () => {},
      },
    });
    await driver.start();
    const engines = [1, 2, 3].map((i) => engineFor(i));
    const toDriver: Uint8Array[] = [];
    // Deliver every message among engines 1-3 (answering validations with "valid") until quiet.
    let queue = sends(engines[0]!.propose(payload));
    while (queue.length > 0) {
      const next: Uint8Array[] = [];
      for (const bytes of queue) {
        toDriver.push(bytes);
        for (const e of engines) {
          for (const a of e.step(bytes)) {
            if (a.type === "send") next.push(a.bytes);
            if (a.type === "validate")
              next.push(...sends(e.validated(a.height, a.blockHash, true)));
          }
        }
      }
      queue = next;
    }
    expect(engines.map((e) => e.height)).toEqual([2, 2, 2]);
    for (const bytes of toDriver) driver.step(bytes);
    // This test is not about the WAL: its writes go through as they come.
    const releaseWrites = () => {
      for (const w of s.writes) w.release();
    };
    await until("height 1's commit to be asked for", () => {
      releaseWrites();
      return commitAsked;
    });
    const [heightTwoPrePrepare] = sends(engines[1]!.propose(utf8("height two")));
    driver.step(heightTwoPrePrepare!);
    await new Promise((r) => setTimeout(r, 300));
    expect(waits.map((w) => w.height)).toEqual([1]); // height 2 still waits behind the commit
    releaseCommit();
    await until(
      "height 2 to be validated",
      () => {
        releaseWrites();
        return waits.length === 2;
      },
      5000,
    );
    expect(waits[1]!.height).toBe(2);
    expect(waits[1]!.waitedMs).toBeGreaterThanOrEqual(280);
    expect(waits[0]!.waitedMs).toBeLessThan(280);
    releaseWrites();
    await driver.stop();
  }, 20_000);
});
