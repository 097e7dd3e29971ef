/**
 * A validator's network in a worker thread, so a test can block its event loop (as a
 * starved validator's is) without blocking the test's own. Messages: "block" with a
 * duration busy-waits that long; frames received are posted back as text.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type NetworkOptions, ValidatorNetwork } from "../../src/node/p2p/validator-network.ts";

type Data = Pick<NetworkOptions, "selfIndex" | "seed" | "listen" | "peers">;
const data = workerData as Data;
const net = new ValidatorNetwork({
  ...data,
  maxFrameBytes: 1024 * 1024,
  maxQueuedBytesPerPeer: 4 * 1024 * 1024,
  maxQueuedFramesPerPeer: 10_000,
  onFrame: (from, frame) =>
    parentPort!.postMessage({ kind: "frame", from, text: new TextDecoder().decode(frame) }),
  onPeerStatus: (peer, connected) => parentPort!.postMessage({ kind: "status", peer, connected }),
});
await net.start();
parentPort!.postMessage({ kind: "started" });
parentPort!.on("message", async (msg: { kind: "block"; ms: number } | { kind: "stop" }) => {
  if (msg.kind === "block") {
    const end = Date.now() + msg.ms;
    while (Date.now() < end) {
      // busy: the event loop runs nothing else, as in a validator starved of CPU
    }
    parentPort!.postMessage({ kind: "unblocked" });
  } else {
    await net.stop();
    process.exit(0);
  }
});
