/**
 * A transaction that only one validator holds (it was disconnected when the transaction was
 * forwarded, or it reloaded it from its pool after a restart) still gets committed: what
 * lingers in a pool is forwarded again, so the leader gets it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { leaderOf } from "../../../src/consensus/index.ts";
import { toHex } from "../../../src/crypto/bytes.ts";
import { generateKeyPair } from "../../../src/crypto/ed25519.ts";
import { txId } from "../../../src/ledger/transactions.ts";
import { registerTx } from "../../../src/ledger/tx-builders.ts";
import type { ValidatorNode } from "../../../src/node/validator-node.ts";
import { postTx } from "../../support/api-cluster.ts";
import { electionDirectory, startNode, until } from "../../support/cluster.ts";
import { approvalTx } from "../../support/election-fixture.ts";

let env: Awaited<ReturnType<typeof electionDirectory>>;
let nodes: ValidatorNode[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  env?.cleanup();
});

describe("lingering pending transactions", () => {
  it("are forwarded again, so a transaction only a non-leader holds is committed", async () => {
    env = await electionDirectory();
    nodes = await Promise.all(
      [0, 1, 2, 3].map((i) => startNode(env.dir, i, env.ports, 4, {}, { reforwardAfterMs: 300 })),
    );
    await until("all connected", () => nodes.every((n) => n.network.connectedPeers().length === 3));
    // Registrations apply only once the commission has approved the manifest.
    expect((await postTx(nodes[0]!, "/v1/transactions", approvalTx(env.setup))).statusCode).toBe(
      202,
    );
    await until("approval everywhere", () =>
      nodes.every((n) => n.replica.tip.state.phase !== "setup" && n.mempool.size === 0),
    );
    const next = Math.max(...nodes.map((n) => n.replica.tip.header.height)) + 1;
    const holder = (leaderOf(next, 0, 4) + 1) % 4;
    const tx = registerTx(env.setup.electionId, env.setup.registrars[0]!, 0, [
      generateKeyPair().publicKey,
    ]);
    const id = toHex(txId(tx));
    // Straight into one pool, as if its forward had been lost: nobody else has it.
    nodes[holder]!.verified.add(id);
    expect(await nodes[holder]!.mempool.add(id, tx)).toBe(true);
    expect(nodes.filter((n) => n.mempool.has(id)).length).toBe(1);
    await until(
      "the transaction to be committed everywhere",
      () => nodes.every((n) => n.replica.tip.state.credentials === 1),
      20_000,
    );
  }, 40_000);
});
