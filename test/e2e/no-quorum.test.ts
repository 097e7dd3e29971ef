/**
 * Real validator processes without a quorum (tracker issue 5): with 2 of 4 down nothing is
 * decided, yet every ballot the live ones answered 202 is committed once the others return;
 * and a 202 survives the validator that gave it being SIGKILLed before anything committed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest } from "../../src/cli/http-client.ts";
import type { ResultsView } from "../../src/node/api/service.ts";
import {
  describeNodes,
  type E2eElection,
  e2eElection,
  expectSameChain,
  logTails,
  makeBallots,
  registerAndOpen,
  status,
  statuses,
  submitBallot,
  waitCommitted,
  waitFor,
} from "../support/e2e-cluster.ts";

const VOTERS = 8;
/** The validators' default consensus timeout (src/node/config.ts), in ms. */
const CONSENSUS_TIMEOUT_MS = 2000;
let e: E2eElection;

const state = async () => `${await describeNodes(e.urls)}\n${logTails(e.dir)}`;

beforeAll(async () => {
  e = await e2eElection({ name: "no-quorum", portsFrom: 23000, voters: VOTERS });
  for (const i of [0, 1, 2, 3]) e.cluster.start(i);
  await e.cluster.waitReady([0, 1, 2, 3], 90_000);
  await registerAndOpen(e, e.urls[0]!);
}, 150_000);

afterAll(async () => {
  await e?.close();
}, 30_000);

describe("validator processes without a quorum", () => {
  it("decide nothing with 2 of 4 down, and lose none of the ballots they accepted meanwhile", async () => {
    e.cluster.kill(2, "SIGKILL");
    e.cluster.kill(3, "SIGKILL");
    await Promise.all([e.cluster.waitExit(2), e.cluster.waitExit(3)]);
    const live = e.urls.slice(0, 2);
    const [h0, h1] = await statuses(live);
    expect(h0!.height).toBe(h1!.height);

    const ballots = makeBallots(e, [0, 1, 2, 3]);
    const replies = await Promise.all(ballots.map((b, i) => submitBallot(live[i % 2]!, b.tx)));
    const ids = replies.map((r) => r.id);
    expect(new Set(ids).size).toBe(4);

    // Both live validators hold all four (each was forwarded the other's), so either one,
    // as leader, has a block to propose: the only thing missing is the quorum.
    await waitFor(
      "both live validators to hold the 4 ballots",
      async () => (await statuses(live)).every((s) => s.mempool === 4),
      30_000,
      state,
    );
    // A negative claim needs a window: several consensus timeouts (view changes are tried
    // and cannot complete with 2 of 4), polling that the height does not move.
    const watchUntil = Date.now() + 4 * CONSENSUS_TIMEOUT_MS;
    while (Date.now() < watchUntil) {
      for (const s of await statuses(live)) {
        expect(s.height, "a block was decided by 2 of 4 validators").toBe(h0!.height);
        expect(s.mempool).toBe(4);
      }
      await new Promise((r) => setTimeout(r, 250));
    }

    e.cluster.start(2);
    e.cluster.start(3);
    await e.cluster.waitReady([0, 1, 2, 3], 90_000);
    await waitCommitted(e.urls, ids, 90_000, state);
    await expectSameChain(e.urls, h0!.height + 1, 60_000, () => logTails(e.dir));
    const results = await apiRequest<ResultsView>(e.urls[2]!, "/v1/results");
    expect(results.ballots).toBe(4);
  }, 240_000);

  it("commit every ballot a validator answered 202 for, though it was SIGKILLed before any could commit", async () => {
    // Validator 0 is left alone: with any other validator up, the forwarded copies would
    // carry the ballots through, and the test would not show that 0 kept them itself.
    for (const i of [1, 2, 3]) e.cluster.kill(i, "SIGKILL");
    await Promise.all([1, 2, 3].map((i) => e.cluster.waitExit(i)));
    const before = await status(e.urls[0]!);

    const ballots = makeBallots(e, [4, 5, 6, 7]);
    const ids: string[] = [];
    for (const b of ballots) ids.push((await submitBallot(e.urls[0]!, b.tx)).id);
    // Killed at once after the last 202: nothing can have committed without a quorum.
    e.cluster.kill(0, "SIGKILL");
    await e.cluster.waitExit(0);

    // Alone again, it still cannot commit: what it reports pending came from its disk.
    e.cluster.start(0);
    await e.cluster.waitReady([0], 90_000);
    const after = await status(e.urls[0]!);
    expect(after).toMatchObject({ height: before.height, mempool: 4 });

    for (const i of [1, 2, 3]) e.cluster.start(i);
    await e.cluster.waitReady([0, 1, 2, 3], 90_000);
    await waitCommitted(e.urls, ids, 90_000, state);
    await expectSameChain(e.urls, before.height + 1, 60_000, () => logTails(e.dir));
    const results = await apiRequest<ResultsView>(e.urls[1]!, "/v1/results");
    expect(results).toMatchObject({ ballots: 8, voters: 8 });
  }, 240_000);
});
