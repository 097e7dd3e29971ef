import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { generateKeyPair } from "../../../src/crypto/ed25519.ts";
import { txId } from "../../../src/ledger/transactions.ts";
import { ballotTx, registerTx } from "../../../src/ledger/tx-builders.ts";
import type { ValidatorNode } from "../../../src/node/validator-node.ts";
import { decodeReceipt, verifyReceipt } from "../../../src/receipt/receipt.ts";
import { electionDirectory, startNode, until } from "../../support/cluster.ts";
import { approvalTx, registrationTxs } from "../../support/election-fixture.ts";
import { corruptProof } from "../../support/tamper.ts";

let env: Awaited<ReturnType<typeof electionDirectory>>;
let nodes: ValidatorNode[] = [];

async function post(node: ValidatorNode, url: string, tx: Uint8Array) {
  const res = await node.api.inject({ method: "POST", url, payload: { tx: toHex(tx) } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

beforeAll(async () => {
  env = await electionDirectory();
  nodes = await Promise.all([0, 1, 2, 3].map((i) => startNode(env.dir, i, env.ports, 4)));
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  env.cleanup();
});

describe("four validators in one process", () => {
  it("commit commission, registrar and ballot transactions, agree on every block, and serve verifiable receipts", async () => {
    const { setup, ctx } = env;
    const id = setup.electionId;
    // Before the commission approves the manifest, nothing else is admitted.
    const early = await post(nodes[0]!, "/v1/transactions", registrationTxs(setup)[0]!);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: "ledger/not_approved" } });
    expect((await post(nodes[1]!, "/v1/transactions", approvalTx(setup))).status).toBe(202);
    // The default schedule opened the polls long ago: the approval opens them at once.
    await until("polls open", () => nodes.every((n) => n.replica.tip.state.phase === "open"));
    for (const tx of registrationTxs(setup)) {
      expect((await post(nodes[0]!, "/v1/transactions", tx)).status).toBe(202);
    }
    await until("registration", () => nodes.every((n) => n.replica.tip.state.credentials === 6));

    const ballots = setup.voters.map((v, i) =>
      ballotTx(
        ctx,
        v,
        0,
        [
          [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0],
          [1, 0, 0, 0],
        ],
        1,
      ),
    );
    const replies = await Promise.all(ballots.map((b, i) => post(nodes[i % 4]!, "/v1/ballots", b)));
    expect(replies.map((r) => r.status)).toEqual(ballots.map(() => 202));
    await until("ballots committed", () => nodes.every((n) => n.replica.tip.state.ballots === 6));

    const heads = nodes.map((n) => toHex(n.replica.tip.hash));
    await until(
      "same head everywhere",
      () => new Set(nodes.map((n) => toHex(n.replica.tip.hash))).size === 1,
    );
    expect(new Set(heads).size).toBeLessThanOrEqual(2);

    const ballotId = replies[2]!.body.id as string;
    const status = await nodes[3]!.api.inject({ method: "GET", url: `/v1/ballots/${ballotId}` });
    expect(status.json()).toMatchObject({ id: ballotId, status: "committed" });
    const byCode = await nodes[3]!.api.inject({
      method: "GET",
      url: `/v1/ballots/${replies[2]!.body.trackingCode}`,
    });
    expect(byCode.json()).toMatchObject({ id: ballotId });

    const receiptRes = await nodes[2]!.api.inject({
      method: "GET",
      url: `/v1/ballots/${ballotId}/receipt`,
    });
    expect(receiptRes.statusCode).toBe(200);
    const receipt = decodeReceipt(fromHex(receiptRes.json().receipt));
    verifyReceipt(
      { electionId: id, validators: setup.manifest.validators.map((v) => v.publicKey) },
      receipt,
    );
    expect(toHex(receipt.ballotId)).toBe(ballotId);
  }, 60_000);

  it("admits a batch of transactions, each with its own result, and commits the good ones", async () => {
    const { setup } = env;
    const fresh = [generateKeyPair().publicKey, generateKeyPair().publicKey];
    const good = fresh.map((k) => registerTx(setup.electionId, setup.registrars[0]!, 0, [k]));
    const forged = registerTx(setup.electionId, setup.trustees[0]!.signing, 0, [
      generateKeyPair().publicKey,
    ]);
    const before = nodes[0]!.replica.tip.state.credentials;
    const res = await nodes[1]!.api.inject({
      method: "POST",
      url: "/v1/transactions/batch",
      payload: { txs: [toHex(good[0]!), "00ff", toHex(forged), toHex(good[1]!)] },
    });
    expect(res.statusCode).toBe(200);
    const results = res.json().results as Record<string, unknown>[];
    expect(results[0]).toMatchObject({ type: "register", status: "pending" });
    expect(results[1]).toMatchObject({ error: { code: "codec/malformed" } });
    expect(results[2]).toMatchObject({ error: { code: "ledger/bad_signature" } });
    expect(results[3]).toMatchObject({ type: "register", status: "pending" });
    await until("the batch to commit", () =>
      nodes.every((n) => n.replica.tip.state.credentials === before + 2),
    );
  }, 60_000);

  it("forwards a ballot before its proofs are checked, but not again for a voter whose proofs failed", async () => {
    const { setup, ctx } = env;
    const voter = setup.voters[4]!;
    const badBallot = (seq: number) =>
      corruptProof(
        ballotTx(
          ctx,
          voter,
          0,
          [
            [0, 1, 0],
            [0, 0, 1, 0],
          ],
          seq,
        ),
        voter.seed,
      );
    const badProofsSeenBy = async (node: ValidatorNode) => {
      const text = await node.metrics.registry.getSingleMetricAsString(
        "saylau_rejected_transactions_total",
      );
      return text
        .split("\n")
        .filter((l) => l.includes('code="election/'))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    };
    const before = await badProofsSeenBy(nodes[1]!);
    const first = await post(nodes[0]!, "/v1/ballots", badBallot(10));
    expect(first.status).toBe(422);
    // The other validators got it before validator 0 had checked it, and checked it too.
    await until("validator 1 to check the forwarded ballot", async () => {
      return (await badProofsSeenBy(nodes[1]!)) === before + 1;
    });
    // The same voter's next ballot is checked by validator 0 alone, then refused.
    const second = await post(nodes[0]!, "/v1/ballots", badBallot(11));
    expect(second.status).toBe(422);
    expect((second.body.error as { code: string }).code).toMatch(/^election\//);
    await new Promise((r) => setTimeout(r, 500));
    expect(await badProofsSeenBy(nodes[1]!)).toBe(before + 1);
  }, 60_000);

  it("says a pending ballot was dropped, and why, once a later ballot of its voter counts", async () => {
    const { setup, ctx } = env;
    const choice = [
      [1, 0, 0],
      [0, 1, 0, 0],
    ];
    const later = ballotTx(ctx, setup.voters[0]!, 0, choice, 3);
    const laterReply = await post(nodes[0]!, "/v1/ballots", later);
    expect(laterReply.status).toBe(202);
    const laterId = laterReply.body.id as string;
    await until("the seq-3 ballot to commit", async () => {
      const r = await nodes[0]!.api.inject({ method: "GET", url: `/v1/ballots/${laterId}` });
      return r.json().status === "committed";
    });
    // A seq-2 ballot of the same voter that was admitted before seq 3 committed (put in the
    // pool directly: through the API it is now refused as stale).
    const earlier = ballotTx(ctx, setup.voters[0]!, 0, choice, 2);
    const earlierId = toHex(txId(earlier));
    nodes[0]!.verified.add(earlierId);
    expect(await nodes[0]!.mempool.add(earlierId, earlier)).toBe(true);
    // Any admission makes the node build a block again, which finds the seq-2 ballot stale.
    expect(
      (await post(nodes[0]!, "/v1/ballots", ballotTx(ctx, setup.voters[1]!, 0, choice, 3))).status,
    ).toBe(202);
    await until("the stale ballot to leave the pool", () => !nodes[0]!.mempool.has(earlierId));

    const status = await nodes[0]!.api.inject({ method: "GET", url: `/v1/ballots/${earlierId}` });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      id: earlierId,
      status: "dropped",
      reason: { code: "ledger/stale_ballot" },
    });
    const receipt = await nodes[0]!.api.inject({
      method: "GET",
      url: `/v1/ballots/${earlierId}/receipt`,
    });
    expect(receipt.statusCode).toBe(404);
    expect(receipt.json().error.message).toContain("ledger/stale_ballot");
    // Unknown ids are still simply not found.
    const unknown = await nodes[0]!.api.inject({
      method: "GET",
      url: `/v1/ballots/${"ab".repeat(32)}`,
    });
    expect(unknown.statusCode).toBe(404);
  }, 60_000);
});
