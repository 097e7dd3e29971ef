/**
 * Evidence is shared: an equivocation that only validator 0 sees (validator 3 signs two
 * PREPAREs and sends them to 0 alone) reaches every validator over the network and is served
 * by each at GET /v1/evidence; evidence a peer forged or tampered with is dropped, counted
 * and not passed on; and stored evidence survives a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeWith } from "../../../src/codec/schema.ts";
import { evidenceId } from "../../../src/consensus/evidence.ts";
import { consensusStatement, messageCodecs } from "../../../src/consensus/index.ts";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { sign } from "../../../src/crypto/ed25519.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import type { EvidencePageView } from "../../../src/node/api/service.ts";
import type { ValidatorNode } from "../../../src/node/validator-node.ts";
import { encodeWire } from "../../../src/node/wire.ts";
import { expectErrorShape } from "../../support/api-cluster.ts";
import { electionDirectory, startNode, until } from "../../support/cluster.ts";
import { signedEvidence, tamperedEvidence } from "../../support/evidence.ts";

const ROGUE = 3;
let env: Awaited<ReturnType<typeof electionDirectory>>;
let nodes: ValidatorNode[] = [];

beforeAll(async () => {
  env = await electionDirectory();
  nodes = await Promise.all([0, 1, 2, 3].map((i) => startNode(env.dir, i, env.ports, 4)));
  await until("every validator connected to every other", () =>
    nodes.every((n) => n.network.connectedPeers().length === 3),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  env?.cleanup();
});

async function evidenceOf(node: ValidatorNode, query = ""): Promise<EvidencePageView> {
  const res = await node.api.inject({ method: "GET", url: `/v1/evidence${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as EvidencePageView;
}

async function metric(node: ValidatorNode, name: string, label = ""): Promise<number> {
  const text = await node.metrics.registry.getSingleMetricAsString(name);
  return text
    .split("\n")
    .filter((l) => l.startsWith(name) && l.includes(label))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

/** Two PREPAREs signed by validator 3 for different blocks at (1, 0), delivered to node 0 only. */
function equivocateTo(node: ValidatorNode): void {
  const { setup } = env;
  const codecs = messageCodecs({ validatorCount: 4, maxPayloadBytes: 1024 });
  for (const k of [1, 2]) {
    const blockHash = sha256(utf8(`equivocation ${k}`));
    const statement = consensusStatement(setup.electionId, "prepare", 1, 0, blockHash, null);
    const message = encodeWith(codecs.message, {
      type: "prepare",
      electionId: setup.electionId,
      height: 1,
      view: 0,
      sender: ROGUE,
      blockHash,
      sig: sign(setup.validators[ROGUE]!.seed, statement),
    });
    node.onFrame(ROGUE, encodeWire({ kind: "consensus", message }));
  }
}

describe("equivocation evidence between validators", () => {
  it("reaches every validator when only one of them saw the equivocation", async () => {
    equivocateTo(nodes[0]!);
    // The metric counts evidence once it is durable (the API shows it a moment earlier).
    const stored = (node: ValidatorNode, source: string) =>
      metric(node, "saylau_consensus_equivocations_total", `source="${source}"`);
    await until(
      "node 0 to detect the equivocation",
      async () => (await stored(nodes[0]!, "self")) === 1,
    );
    const [detected] = (await evidenceOf(nodes[0]!)).evidence;
    expect(detected).toMatchObject({ validator: ROGUE, phase: "prepare", height: 1, view: 0 });
    expect(detected!.first.blockHash).not.toBe(detected!.second.blockHash);

    await until("the evidence to reach validators 1, 2 and 3", async () =>
      (await Promise.all(nodes.slice(1).map((n) => stored(n, "peer")))).every((c) => c === 1),
    );
    for (const node of nodes.slice(1)) {
      expect(await evidenceOf(node)).toEqual({ evidence: [detected], next: null });
      expect(await stored(node, "self")).toBe(0);
    }
  }, 30_000);

  it("drops forged and tampered evidence from a peer, counts it, and does not pass it on", async () => {
    const { setup } = env;
    const signed = signedEvidence(setup.validators[2]!.seed, setup.electionId, 2, {
      height: 7,
      view: 1,
      phase: "commit",
    });
    const forgeries = tamperedEvidence(signed, 4);
    const before = await Promise.all(nodes.map((n) => evidenceOf(n)));
    for (const [, bytes] of forgeries) {
      nodes[1]!.onFrame(2, encodeWire({ kind: "evidence", evidence: bytes }));
    }
    await until(
      "every forgery to be refused",
      async () => (await metric(nodes[1]!, "saylau_evidence_rejected_total")) === forgeries.length,
    );
    expect(
      await metric(nodes[1]!, "saylau_evidence_rejected_total", "consensus/bad_evidence"),
    ).toBe(forgeries.length - 2);
    expect(await metric(nodes[1]!, "saylau_p2p_peer_misbehaviour_total", 'peer="2"')).toBe(
      forgeries.length,
    );
    // The genuine proof, sent after the forgeries, is taken and passed on: once the others
    // hold it, anything node 1 had passed on before it would have reached them too.
    nodes[1]!.onFrame(2, encodeWire({ kind: "evidence", evidence: signed.bytes }));
    const genuine = toHex(evidenceId(signed.bytes));
    await until("the genuine evidence to reach every validator", async () =>
      (
        await Promise.all(nodes.map((n) => metric(n, "saylau_consensus_equivocations_total")))
      ).every((c) => c === 2),
    );
    for (const [i, node] of nodes.entries()) {
      if (i !== 1)
        expect(await metric(node, "saylau_evidence_rejected_total"), `node ${i}`).toBe(0);
      const ids = (await evidenceOf(node)).evidence.map((e) => e.id);
      expect(ids).toEqual([...before[i]!.evidence.map((e) => e.id), genuine].sort());
    }
    expect(nodes.every((n) => n.driver.failure === undefined)).toBe(true);
  }, 30_000);

  it("pages GET /v1/evidence by id and refuses a malformed query", async () => {
    const all = (await evidenceOf(nodes[2]!)).evidence;
    const first = await evidenceOf(nodes[2]!, "?limit=1");
    expect(first).toEqual({ evidence: [all[0]], next: all[0]!.id });
    const second = await evidenceOf(nodes[2]!, `?limit=1&after=${first.next}`);
    expect(second).toEqual({ evidence: [all[1]], next: null });
    for (const query of ["?limit=0", "?limit=101", "?after=xyz", "?after=AB", "?page=2"]) {
      const res = await nodes[2]!.api.inject({ method: "GET", url: `/v1/evidence${query}` });
      expectErrorShape(res, 400, "api/invalid_request");
    }
  });

  it("keeps stored evidence across a restart", async () => {
    const before = await evidenceOf(nodes[1]!);
    await nodes[1]!.stop();
    nodes[1] = await startNode(env.dir, 1, env.ports, 4);
    expect(await evidenceOf(nodes[1]!)).toEqual(before);
  }, 30_000);
});
