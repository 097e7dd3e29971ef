import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { generateKeyPair } from "../../../../src/crypto/ed25519.ts";
import {
  type NetworkOptions,
  ValidatorNetwork,
} from "../../../../src/node/p2p/validator-network.ts";
import { freePorts } from "../../../support/ports.ts";

const running: ValidatorNetwork[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => n.stop()));
});

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** n fresh validator keys, free loopback ports, and the peer table naming them. */
async function peerTable(n: number) {
  const keys = Array.from({ length: n }, () => generateKeyPair());
  const ports = await freePorts(n);
  const peers = keys.map((k, index) => ({
    index,
    publicKey: k.publicKey,
    address: `/ip4/127.0.0.1/tcp/${ports[index]}`,
  }));
  return { keys, ports, peers };
}

async function cluster(n: number, extra: Partial<NetworkOptions> = {}) {
  const { keys, ports, peers } = await peerTable(n);
  const inbox: { to: number; from: number; text: string }[] = [];
  const misbehaved: { at: number; from: number; reason: string }[] = [];
  const nets = keys.map(
    (k, selfIndex) =>
      new ValidatorNetwork({
        selfIndex,
        seed: k.seed,
        listen: `/ip4/127.0.0.1/tcp/${ports[selfIndex]}`,
        peers,
        maxFrameBytes: 1024 * 1024,
        maxQueuedBytesPerPeer: 4 * 1024 * 1024,
        maxQueuedFramesPerPeer: 10_000,
        onFrame: (from, frame) =>
          inbox.push({ to: selfIndex, from, text: new TextDecoder().decode(frame) }),
        onPeerMisbehaved: (from, reason) => misbehaved.push({ at: selfIndex, from, reason }),
        ...extra,
      }),
  );
  running.push(...nets);
  await Promise.all(nets.map((x) => x.start()));
  return { nets, inbox, misbehaved, peers, keys, ports };
}

describe("ValidatorNetwork", () => {
  it("delivers frames between every pair of validators, in order per sender", async () => {
    const { nets, inbox } = await cluster(4);
    for (let i = 0; i < 50; i++) nets[0]!.broadcast(new TextEncoder().encode(`m${i}`));
    nets[2]!.send(1, new TextEncoder().encode("direct"));
    await waitFor(() => inbox.length === 151);
    for (const to of [1, 2, 3]) {
      expect(inbox.filter((m) => m.to === to && m.from === 0).map((m) => m.text)).toEqual(
        Array.from({ length: 50 }, (_, i) => `m${i}`),
      );
    }
    expect(inbox.find((m) => m.text === "direct")).toEqual({ to: 1, from: 2, text: "direct" });
  }, 30_000);

  it("admits no peer outside the manifest", async () => {
    const { peers, inbox } = await cluster(2);
    const outsider = generateKeyPair();
    const [port] = await freePorts(1);
    // The outsider lists the validators as its peers, but they do not list it.
    const rogue = new ValidatorNetwork({
      selfIndex: 9,
      seed: outsider.seed,
      listen: `/ip4/127.0.0.1/tcp/${port}`,
      peers: [
        ...peers,
        { index: 9, publicKey: outsider.publicKey, address: `/ip4/127.0.0.1/tcp/${port}` },
      ],
      maxFrameBytes: 1024,
      maxQueuedBytesPerPeer: 1024 * 1024,
      maxQueuedFramesPerPeer: 100,
      onFrame: () => undefined,
      redialMinMs: 50,
    });
    running.push(rogue);
    await rogue.start();
    rogue.broadcast(new TextEncoder().encode("let me in"));
    await new Promise((r) => setTimeout(r, 1500));
    expect(inbox.some((m) => m.text === "let me in")).toBe(false);
    expect(rogue.connectedPeers()).toEqual([]);
  }, 30_000);

  it("resets a peer that sends an oversized frame, reports it, and keeps serving the others", async () => {
    const { nets, inbox, misbehaved } = await cluster(3, { maxFrameBytes: 64 });
    nets[0]!.send(1, new Uint8Array(1000));
    nets[2]!.send(1, new TextEncoder().encode("still fine"));
    await waitFor(() => inbox.some((m) => m.text === "still fine") && misbehaved.length > 0);
    expect(inbox.some((m) => m.from === 0 && m.to === 1)).toBe(false);
    expect(misbehaved[0]).toMatchObject({ at: 1, from: 0 });
    expect(misbehaved[0]!.reason).toMatch(/1000-byte frame/);
  }, 30_000);

  it("bounds each peer's queue while the peer is away, dropping the oldest frames", async () => {
    const { keys, ports, peers } = await peerTable(2);
    let dropped = 0;
    const lonely = new ValidatorNetwork({
      selfIndex: 0,
      seed: keys[0]!.seed,
      listen: `/ip4/127.0.0.1/tcp/${ports[0]}`,
      peers,
      maxFrameBytes: 1024,
      maxQueuedBytesPerPeer: 10_000,
      maxQueuedFramesPerPeer: 100,
      onFrame: () => undefined,
      onDropped: (_peer, n) => {
        dropped += n;
      },
    });
    running.push(lonely);
    await lonely.start();
    for (let i = 0; i < 1000; i++) lonely.send(1, new Uint8Array(50));
    expect(dropped).toBeGreaterThanOrEqual(900);
  }, 30_000);

  it("keeps its link to a peer whose event loop is blocked for 17 s, and delivers what was sent meanwhile", async () => {
    // libp2p's connection monitor would abort this connection (a ping every 10 s, 5 s to
    // answer); a busy validator must keep its links (validator-network.ts says why).
    const { keys, peers } = await peerTable(2);
    const statuses: boolean[] = [];
    const here = new ValidatorNetwork({
      selfIndex: 0,
      seed: keys[0]!.seed,
      listen: peers[0]!.address,
      peers,
      maxFrameBytes: 1024 * 1024,
      maxQueuedBytesPerPeer: 4 * 1024 * 1024,
      maxQueuedFramesPerPeer: 10_000,
      onFrame: () => {},
      onPeerStatus: (_peer, connected) => statuses.push(connected),
    });
    running.push(here);
    const worker = new Worker(new URL("../../../support/busy-peer-worker.ts", import.meta.url), {
      workerData: { selfIndex: 1, seed: keys[1]!.seed, listen: peers[1]!.address, peers },
    });
    const received: string[] = [];
    const events: string[] = [];
    worker.on("message", (m: { kind: string; text?: string; connected?: boolean }) => {
      if (m.kind === "frame") received.push(m.text!);
      else events.push(m.kind === "status" ? `status ${m.connected}` : m.kind);
    });
    worker.on("error", (err) => events.push(`error ${err.message}`));
    try {
      await here.start();
      await waitFor(() => events.includes("started") || events.some((e) => e.startsWith("error")));
      expect(events).toEqual(["started"]);
      await waitFor(() => here.connectedPeers().includes(1) && events.includes("status true"));
      worker.postMessage({ kind: "block", ms: 17_000 });
      for (let i = 0; i < 34; i++) {
        here.send(1, new TextEncoder().encode(`during ${i}`));
        await new Promise((r) => setTimeout(r, 500));
      }
      await waitFor(() => events.includes("unblocked"), 10_000);
      await waitFor(() => received.length === 34, 10_000);
      expect(received).toEqual(Array.from({ length: 34 }, (_, i) => `during ${i}`));
      expect(statuses).toEqual([true]); // connected once, never lost
      expect(events.filter((e) => e.startsWith("status"))).toEqual(["status true"]);
    } finally {
      worker.postMessage({ kind: "stop" });
      await new Promise((r) => worker.once("exit", r));
    }
  }, 60_000);
});
