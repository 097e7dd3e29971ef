/**
 * Four validators as real processes on loopback (tracker issue 5): voting goes on with one
 * of them SIGKILLed mid-way (f = 1), the killed one catches up after a restart, a validator
 * whose data directory is wiped resyncs from genesis, one whose table file was damaged refuses
 * to start until `saylau node resync`, and afterwards every validator holds the same chain,
 * block by block. The steps build on each other, on one cluster, because
 * starting validators is the slowest thing here.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest } from "../../src/cli/http-client.ts";
import type { ResultsView, SubmitResult, TxStatusView } from "../../src/node/api/service.ts";
import {
  describeNodes,
  type E2eElection,
  e2eElection,
  expectSameChain,
  logTails,
  makeBallots,
  registerAndOpen,
  status,
  submitBallot,
  waitCommitted,
  waitFor,
} from "../support/e2e-cluster.ts";
import { flipBytes, flushToTables, largestTable } from "../support/stored-chain.ts";

const CLI = resolve(import.meta.dirname, "../../src/cli/main.ts");

const VOTERS = 8;
let e: E2eElection;
/** Every ballot that got a 202, by id: each must end up committed. */
const accepted: string[] = [];

const state = async () => `${await describeNodes(e.urls)}\n${logTails(e.dir)}`;

beforeAll(async () => {
  e = await e2eElection({ name: "recovery", portsFrom: 20000, voters: VOTERS });
  for (const i of [0, 1, 2, 3]) e.cluster.start(i);
  await e.cluster.waitReady([0, 1, 2, 3], 90_000);
}, 120_000);

afterAll(async () => {
  await e?.close();
}, 30_000);

describe("four validator processes", () => {
  it("commit the registrations, open the polls and commit ballots sent to each of them", async () => {
    await registerAndOpen(e, e.urls[0]!);
    const ballots = makeBallots(e, [0, 1, 2, 3]);
    const replies = await Promise.all(ballots.map((b, i) => submitBallot(e.urls[i]!, b.tx)));
    accepted.push(...replies.map((r) => r.id));
    await waitCommitted(e.urls, accepted, 60_000, state);
    const results = await apiRequest<ResultsView>(e.urls[3]!, "/v1/results");
    expect(results).toMatchObject({ phase: "open", credentials: VOTERS, ballots: 4 });
  }, 90_000);

  it("keep committing ballots with validator 3 SIGKILLed mid-way (f = 1)", async () => {
    const ballots = makeBallots(e, [4, 5, 6, 7]);
    // Validator 3 dies holding work: the first of these ballots has reached it (forwarded
    // by validator 0) and the others are proposing a block with it.
    const first = await submitBallot(e.urls[0]!, ballots[0]!.tx);
    await waitFor(
      "validator 3 to receive the forwarded ballot",
      async () => {
        const s = await apiRequest<TxStatusView>(e.urls[3]!, `/v1/transactions/${first.id}`);
        return s.status === "pending" || s.status === "committed";
      },
      30_000,
      state,
    );
    e.cluster.kill(3, "SIGKILL");
    await e.cluster.waitExit(3);
    const rest = await Promise.all(
      ballots.slice(1).map((b, i) => submitBallot(e.urls[i % 3]!, b.tx)),
    );
    const ids = [first.id, ...rest.map((r) => r.id)];
    accepted.push(...ids);
    await waitCommitted(e.urls.slice(0, 3), ids, 90_000, state);
    // Committed by the three that are left: validator 3 really was down throughout.
    expect(e.cluster.isRunning(3)).toBe(false);
    const results = await apiRequest<ResultsView>(e.urls[0]!, "/v1/results");
    expect(results.ballots).toBe(8);
  }, 120_000);

  it("catch the killed validator up after a restart: same head, same block at every height", async () => {
    const before = await status(e.urls[0]!);
    e.cluster.start(3);
    // Revotes while validator 3 restarts: the chain grows under it as it catches up.
    const revotes = makeBallots(e, [0, 1, 2], 2);
    const replies: SubmitResult[] = [];
    for (const [i, b] of revotes.entries()) replies.push(await submitBallot(e.urls[i]!, b.tx));
    accepted.push(...replies.map((r) => r.id));
    await e.cluster.waitReady([0, 1, 2, 3], 90_000);
    const height = await expectSameChain(e.urls, before.height + 1, 90_000, () => logTails(e.dir));
    expect(height).toBeGreaterThan(before.height);
    // Validator 3 was down for some of these: it must serve every one as committed now.
    await waitCommitted(e.urls, accepted, 60_000, state);
  }, 180_000);

  it("resync a validator whose data directory was wiped from genesis to the same head", async () => {
    e.cluster.kill(2, "SIGTERM");
    await e.cluster.waitExit(2, 20_000);
    rmSync(join(e.dir, "validators", "2", "data"), { recursive: true, force: true });
    const head = await status(e.urls[0]!);
    e.cluster.start(2);
    await e.cluster.waitReady([0, 1, 2, 3], 90_000);
    await expectSameChain(e.urls, head.height, 90_000, () => logTails(e.dir));
    // Its state was rebuilt too, not just its blocks: it admits a revote (which needs the
    // registered credential, the open phase and the counted seq) and the revote commits.
    const revote = makeBallots(e, [3], 2)[0]!;
    const reply = await submitBallot(e.urls[2]!, revote.tx);
    accepted.push(reply.id);
    await waitCommitted(e.urls, accepted, 60_000, state);
    await expectSameChain(e.urls, head.height + 1, 60_000, () => logTails(e.dir));
    const results = await Promise.all(e.urls.map((u) => apiRequest<ResultsView>(u, "/v1/results")));
    for (const r of results) expect(r).toMatchObject({ ballots: 12, voters: VOTERS });
  }, 180_000);

  it("refuse to start a validator whose table file was damaged while it was stopped; node resync brings it back", async () => {
    const vdir = join(e.dir, "validators", "1");
    e.cluster.kill(1, "SIGTERM");
    await e.cluster.waitExit(1, 20_000);
    // Its log into a table file (as its next open would do), then 300 bytes of that flipped.
    await flushToTables(join(vdir, "data"));
    flipBytes(largestTable(join(vdir, "data")), 300, "e2e/recovery");
    const refused = e.cluster.start(1);
    await e.cluster.waitExit(1, 60_000);
    expect(refused.exitCode).toBe(1);
    // node.log holds the validator's JSON lines and the command's own stderr.
    const lines = readFileSync(join(vdir, "node.log"), "utf8").trim().split("\n");
    const refusal = lines
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l))
      .filter((l) => l.code === "store/corrupt");
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatchObject({ level: 50, file: expect.stringMatching(/\.ldb$/) });
    expect(lines.filter((l) => l.startsWith("error store/corrupt: LevelDB file"))).toHaveLength(1);
    expect(
      lines.filter((l) => l.startsWith("to recover: saylau node resync --config")),
    ).toHaveLength(1);

    // The operator's fix: resync, with the fence the others' height gives (in case the damaged
    // store cannot tell it), then start it again.
    const heights = await Promise.all(
      [0, 2, 3].map(async (i) => (await status(e.urls[i]!)).height),
    );
    const fence = Math.max(...heights) + 1;
    const resync = spawnSync(
      process.execPath,
      [CLI, "node", "resync", "--config", join(vdir, "config.json"), "--fence", String(fence)],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(resync.status, resync.stderr).toBe(0);
    e.cluster.start(1);
    await e.cluster.waitReady([0, 1, 2, 3], 90_000);
    await expectSameChain(e.urls, fence - 1, 90_000, () => logTails(e.dir));

    // Up to the fence it only follows; the others decide the fenced height without it.
    const first = await submitBallot(e.urls[1]!, makeBallots(e, [4], 2)[0]!.tx);
    accepted.push(first.id);
    await waitCommitted(e.urls, [first.id], 60_000, state);
    // Past it, it signs again: with validator 2 stopped, nothing commits without validator 1.
    e.cluster.kill(2, "SIGTERM");
    await e.cluster.waitExit(2, 20_000);
    const live = [0, 1, 3].map((i) => e.urls[i]!);
    const second = await submitBallot(e.urls[0]!, makeBallots(e, [5], 2)[0]!.tx);
    accepted.push(second.id);
    await waitCommitted(live, [second.id], 90_000, state);
    await expectSameChain(live, fence + 1, 60_000, () => logTails(e.dir));
  }, 300_000);
});
