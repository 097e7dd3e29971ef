/**
 * A peer cannot keep a validator's workers busy with forwarded transactions that do not
 * verify: its failures are counted against it, and after a few dozen it is not listened to.
 */
import { afterAll, describe, expect, it } from "vitest";
import { generateKeyPair } from "../../../src/crypto/ed25519.ts";
import { commissionDecision, commissionTx } from "../../../src/ledger/tx-builders.ts";
import type { ValidatorNode } from "../../../src/node/validator-node.ts";
import { encodeWire } from "../../../src/node/wire.ts";
import { electionDirectory, startNode, until } from "../../support/cluster.ts";
import { approvalTx } from "../../support/election-fixture.ts";

let env: Awaited<ReturnType<typeof electionDirectory>>;
let node: ValidatorNode;

afterAll(async () => {
  await node?.stop();
  env?.cleanup();
});

async function misbehaviourOf(peer: number): Promise<number> {
  const text = await node.metrics.registry.getSingleMetricAsString(
    "saylau_p2p_peer_misbehaviour_total",
  );
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`saylau_p2p_peer_misbehaviour_total{peer="${peer}"}`));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

describe("forwarded transactions", () => {
  it("count a peer's unverifiable forwards against it and then ignore that peer", async () => {
    env = await electionDirectory();
    // One validator is enough: forwards are admitted (or not) without consensus.
    node = await startNode(env.dir, 0, env.ports, 4);
    const { setup } = env;
    const impostor = generateKeyPair();
    // Commission decisions signed by a stranger in member 0's name: they pass the precheck
    // (nothing is approved yet, and only the commission may act then) and fail verification.
    const { closesAt } = setup.manifest.schedule;
    const forged = Array.from({ length: 40 }, (_, i) =>
      commissionTx(commissionDecision(setup.electionId, "extend", closesAt + 1 + i), [
        { member: 0, key: impostor },
      ]),
    );
    node.onFrame(3, encodeWire({ kind: "txs", txs: forged }));
    await until("the forgeries to be counted", async () => (await misbehaviourOf(3)) >= 32);
    expect(node.mempool.size).toBe(0);

    const good = approvalTx(setup);
    node.onFrame(3, encodeWire({ kind: "txs", txs: [good] }));
    await new Promise((r) => setTimeout(r, 300));
    expect(node.mempool.size).toBe(0); // muted: not even checked

    node.onFrame(2, encodeWire({ kind: "txs", txs: [good] }));
    await until("the honest peer's forward", () => node.mempool.size === 1);
    expect(await misbehaviourOf(2)).toBe(0);
  }, 60_000);
});
