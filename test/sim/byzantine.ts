/**
 * How faulty validators misbehave. Each wraps an ordinary engine (so its traffic looks
 * plausible) and bends what it sends; it holds only its own signing key.
 */
import { decodeWith, encodeWith } from "../../src/codec/schema.ts";
import type { ConsensusMessage } from "../../src/consensus/index.ts";
import { commitStatement, consensusStatement } from "../../src/consensus/index.ts";
import { toHex } from "../../src/crypto/bytes.ts";
import { blockHash, decodeBlock, encodeBlock, type SimBlock } from "./block.ts";
import type { Cluster, SimNode } from "./cluster.ts";

export type FaultKind =
  /** Down from the start. */
  | "silent"
  /** Up, then down for good at a random time. */
  | "crash"
  /** As leader, sends different proposals to different replicas, and votes for both. */
  | "equivocating-leader"
  /** Votes for its block to some replicas and for another one to the rest. */
  | "double-voter"
  /** Re-sends old messages it received, to random validators, at random times. */
  | "replayer"
  /** As leader, proposes blocks the validity predicate rejects. */
  | "invalid-proposer"
  /** Two engines run with one validator key, each with its own proposals. */
  | "twins"
  /**
   * As leader, stamps its blocks at the edge of the clock bound so that honest validators,
   * whose clocks differ a little, split over them: the one with the earliest clock finds the
   * block too far ahead (or the one with the latest, too far behind), the others prepare it.
   * And it withholds its COMMITs for its own blocks, so that such a block is left prepared
   * but undecided, for a NEW-VIEW to force on the replica that refused it. Only in scenarios
   * with clocks (clock-scenario.ts).
   */
  | "clock-edge";

export interface Behaviour {
  shapeProposal(block: SimBlock): SimBlock;
  send(node: SimNode, to: number | "all", message: ConsensusMessage, bytes: Uint8Array): void;
  onReceive(node: SimNode, bytes: Uint8Array): void;
}

export function makeBehaviour(
  kind: FaultKind | "honest",
  cluster: Cluster,
  validator: number,
): Behaviour {
  const honest: Behaviour = {
    shapeProposal: (block) => block,
    send: (node, to, _message, bytes) => cluster.transmit(node, to, bytes),
    onReceive: () => {},
  };
  switch (kind) {
    case "honest":
    case "silent":
    case "crash":
    case "twins":
      return honest;
    case "invalid-proposer":
      return { ...honest, shapeProposal: (block) => ({ ...block, invalid: true }) };
    case "clock-edge":
      return clockEdge(cluster, honest);
    case "replayer":
      return replayer(cluster, honest);
    case "equivocating-leader":
      return equivocator(cluster, validator, true);
    case "double-voter":
      return equivocator(cluster, validator, false);
  }
}

function clockEdge(cluster: Cluster, honest: Behaviour): Behaviour {
  const bound = cluster.scenario.clock?.maxSkewMs ?? 0;
  const own = new Set<string>();
  return {
    ...honest,
    shapeProposal: (block) => {
      const clocks = [...Array(cluster.scenario.n).keys()]
        .filter((v) => cluster.isHonest(v))
        .map((v) => cluster.clockOf(v))
        .sort((a, b) => a - b);
      if (clocks.length < 2) return block;
      // Ahead: time - bound between the two earliest clocks; behind: time + bound between
      // the two latest.
      const ahead = cluster.rng.chance(0.5);
      const pair = ahead ? clocks.slice(0, 2) : clocks.slice(-2);
      const middle = Math.round((pair[0]! + pair[1]!) / 2);
      const time = ahead ? middle + bound : middle - bound;
      const shaped = { ...block, time };
      own.add(toHex(blockHash(encodeBlock(shaped))));
      return shaped;
    },
    send: (node, to, message, bytes) => {
      if (message.type === "commit" && own.has(toHex(message.blockHash))) return;
      honest.send(node, to, message, bytes);
    },
  };
}

function replayer(cluster: Cluster, honest: Behaviour): Behaviour {
  const heard: Uint8Array[] = [];
  return {
    ...honest,
    onReceive: (_node, bytes) => {
      if (heard.length < 512) heard.push(bytes);
      else heard[cluster.rng.int(0, heard.length - 1)] = bytes;
    },
    send: (node, to, message, bytes) => {
      honest.send(node, to, message, bytes);
      for (let i = cluster.rng.int(0, 3); i > 0 && heard.length > 0; i--) {
        const old = cluster.rng.pick(heard);
        cluster.transmit(node, cluster.rng.int(0, cluster.scenario.n - 1), old);
      }
    },
  };
}

/**
 * Splits the other validators in two at every (height, view) and tells each half a different
 * story: a different proposal (leader) and votes for different blocks.
 */
function equivocator(cluster: Cluster, validator: number, asLeader: boolean): Behaviour {
  const signer = cluster.crypto.signerFor(validator);
  const electionId = cluster.electionId;
  /** Per "height/view": the other half's block hash. */
  const alternative = new Map<string, Uint8Array>();
  const halves = new Map<string, Set<number>>();
  /** Proposals heard per height, to double-vote for a real block rather than noise. */
  const heardProposals = new Map<number, Uint8Array[]>();

  const otherHalf = (height: number, view: number): Set<number> => {
    const key = `${height}/${view}`;
    let half = halves.get(key);
    if (half === undefined) {
      half = new Set();
      for (let v = 0; v < cluster.scenario.n; v++) {
        if (v !== validator && cluster.rng.chance(0.5)) half.add(v);
      }
      halves.set(key, half);
    }
    return half;
  };

  const sendSplit = (
    node: SimNode,
    original: Uint8Array,
    forked: Uint8Array,
    half: Set<number>,
  ) => {
    for (let v = 0; v < cluster.scenario.n; v++) {
      if (v === validator) continue;
      cluster.transmit(node, v, half.has(v) ? forked : original);
    }
  };

  return {
    shapeProposal: (block) => block,
    onReceive: (node, bytes) => {
      let m: ConsensusMessage;
      try {
        m = decodeWith(node.engine.codecs.message, bytes, node.engine.codecs.maxMessageBytes);
      } catch {
        return;
      }
      if (m.type === "pre-prepare") {
        const list = heardProposals.get(m.height) ?? [];
        if (list.length < 8) list.push(blockHash(m.payload));
        heardProposals.set(m.height, list);
      }
    },
    send: (node, to, message, bytes) => {
      const codec = node.engine.codecs.message;
      if (to !== "all") return cluster.transmit(node, to, bytes);
      const key = `${message.height}/${message.view}`;
      if (message.type === "pre-prepare" && asLeader) {
        const block = decodeBlock(message.payload);
        if (block === null) return cluster.transmit(node, to, bytes);
        const forkBlock: SimBlock = {
          ...block,
          nonce: block.nonce + 1000,
          txs: block.txs.slice(1),
        };
        const payload = encodeBlock(forkBlock);
        const hash = blockHash(payload);
        alternative.set(key, hash);
        const sig = signer.sign(
          consensusStatement(electionId, "pre-prepare", message.height, message.view, hash, null),
        );
        const forked = encodeWith(codec, { ...message, payload, sig });
        return sendSplit(node, bytes, forked, otherHalf(message.height, message.view));
      }
      if (message.type === "prepare" || message.type === "commit") {
        let alt = alternative.get(key);
        if (alt === undefined && !asLeader) {
          const heard = (heardProposals.get(message.height) ?? []).filter(
            (h) => Buffer.compare(h, message.blockHash) !== 0,
          );
          alt =
            heard.length > 0
              ? cluster.rng.pick(heard)
              : blockHash(Uint8Array.of(cluster.rng.int(0, 255)));
        }
        if (alt === undefined) return cluster.transmit(node, to, bytes);
        const statement =
          message.type === "commit"
            ? commitStatement(electionId, message.height, message.view, alt)
            : consensusStatement(electionId, "prepare", message.height, message.view, alt, null);
        const forked = encodeWith(codec, {
          ...message,
          blockHash: alt,
          sig: signer.sign(statement),
        });
        return sendSplit(node, bytes, forked, otherHalf(message.height, message.view));
      }
      return cluster.transmit(node, to, bytes);
    },
  };
}
