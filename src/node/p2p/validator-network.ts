/**
 * The validators' private network: libp2p over TCP with Noise and Yamux, admitting only the
 * manifest's validators (by peer id, which is their manifest key), one long-lived outbound
 * stream per peer carrying length-prefixed frames.
 *
 * Every peer gets a bounded outbound queue: when a peer is slow or away, the oldest frames
 * are dropped (the protocols above tolerate loss: consensus retransmits through view change
 * and catch-up), so no peer can make this node hold unbounded memory. Links redial with
 * exponential backoff. A peer that sends an oversized or malformed frame has its stream
 * reset and is reported through `onPeerMisbehaved`; nothing it sends can throw here.
 *
 * A busy peer is not a dead one. libp2p's connection monitor (a ping every 10 s, the
 * connection aborted when one takes over 5 s) is off: in a 20-validator run on 2 cores it
 * cut validators that were only starved of CPU, and their redials, a Noise handshake each,
 * starved them further, until most links were down. A dead peer is found by the kernel
 * instead: TCP keepalive probes after KEEPALIVE_IDLE_MS of silence, which no busy event loop
 * delays (and a stopped process's connections are reset at once). A dial may take
 * DIAL_TIMEOUT_MS, enough for a handshake with a loaded peer.
 */
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import type { Connection, PeerId, Stream } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p, type Libp2p } from "libp2p";
import { encodeFrame, FrameDecoder } from "./frames.ts";
import { libp2pKeyFromSeed, peerIdOfValidator } from "./peer-identity.ts";

export const SAYLAU_PROTOCOL = "/saylau/validator/1.0.0";
const KEEPALIVE_IDLE_MS = 15_000;
const DIAL_TIMEOUT_MS = 20_000;

export interface ValidatorPeer {
  readonly index: number;
  readonly publicKey: Uint8Array;
  /** Where to dial it, e.g. /ip4/127.0.0.1/tcp/7001 (the /p2p/ part is added here). */
  readonly address: string;
}

export interface NetworkOptions {
  readonly selfIndex: number;
  readonly seed: Uint8Array;
  readonly listen: string;
  readonly peers: readonly ValidatorPeer[];
  readonly maxFrameBytes: number;
  readonly maxQueuedBytesPerPeer: number;
  readonly maxQueuedFramesPerPeer: number;
  readonly onFrame: (from: number, frame: Uint8Array) => void;
  readonly onPeerMisbehaved?: (from: number, reason: string) => void;
  readonly onPeerStatus?: (peer: number, connected: boolean) => void;
  readonly onDropped?: (peer: number, frames: number) => void;
  readonly redialMinMs?: number;
  readonly redialMaxMs?: number;
}

interface Link {
  readonly peer: ValidatorPeer;
  readonly peerId: PeerId;
  queue: Uint8Array[];
  queuedBytes: number;
  stream: Stream | undefined;
  dialing: boolean;
  flushing: boolean;
  backoffMs: number;
  timer: NodeJS.Timeout | undefined;
}

export class ValidatorNetwork {
  readonly #options: NetworkOptions;
  readonly #links = new Map<number, Link>();
  readonly #indexByPeerId = new Map<string, number>();
  #node: Libp2p | undefined;
  #stopped = false;

  constructor(options: NetworkOptions) {
    this.#options = options;
    for (const peer of options.peers) {
      if (peer.index === options.selfIndex) continue;
      const peerId = peerIdOfValidator(peer.publicKey);
      this.#indexByPeerId.set(peerId.toString(), peer.index);
      this.#links.set(peer.index, {
        peer,
        peerId,
        queue: [],
        queuedBytes: 0,
        stream: undefined,
        dialing: false,
        flushing: false,
        backoffMs: options.redialMinMs ?? 100,
        timer: undefined,
      });
    }
  }

  async start(): Promise<void> {
    const admitted = (peerId: PeerId) => this.#indexByPeerId.has(peerId.toString());
    const node = await createLibp2p({
      privateKey: await libp2pKeyFromSeed(this.#options.seed),
      addresses: { listen: [this.#options.listen] },
      transports: [
        tcp({
          dialOpts: { keepAlive: true, keepAliveInitialDelay: KEEPALIVE_IDLE_MS },
          listenOpts: { keepAlive: true, keepAliveInitialDelay: KEEPALIVE_IDLE_MS },
        }),
      ],
      connectionMonitor: { enabled: false },
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        denyDialPeer: (peerId) => !admitted(peerId),
        denyInboundEncryptedConnection: (peerId) => !admitted(peerId),
        denyOutboundEncryptedConnection: (peerId) => !admitted(peerId),
        // Loopback and private addresses are where validators live in tests and deployments.
        denyDialMultiaddr: () => false,
      },
    });
    await node.handle(
      SAYLAU_PROTOCOL,
      (stream, connection) => this.#onInbound(stream, connection),
      {
        maxInboundStreams: 4,
      },
    );
    await node.start();
    this.#node = node;
    for (const link of this.#links.values()) this.#dial(link);
  }

  /** Queue a frame for one peer; returns false when the queue had to drop older frames. */
  send(to: number, payload: Uint8Array): boolean {
    const link = this.#links.get(to);
    if (link === undefined || this.#stopped) return false;
    const frame = encodeFrame(payload);
    link.queue.push(frame);
    link.queuedBytes += frame.length;
    let dropped = 0;
    while (
      link.queue.length > 1 &&
      (link.queuedBytes > this.#options.maxQueuedBytesPerPeer ||
        link.queue.length > this.#options.maxQueuedFramesPerPeer)
    ) {
      const old = link.queue.shift()!;
      link.queuedBytes -= old.length;
      dropped++;
    }
    if (dropped > 0) this.#options.onDropped?.(to, dropped);
    this.#flush(link);
    return dropped === 0;
  }

  broadcast(payload: Uint8Array): void {
    for (const index of this.#links.keys()) this.send(index, payload);
  }

  connectedPeers(): number[] {
    return [...this.#links.values()]
      .filter((l) => l.stream?.status === "open")
      .map((l) => l.peer.index);
  }

  listenAddresses(): string[] {
    return this.#node?.getMultiaddrs().map((a) => a.toString()) ?? [];
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const link of this.#links.values()) {
      if (link.timer !== undefined) clearTimeout(link.timer);
      link.stream?.abort(new Error("stopping"));
    }
    await this.#node?.stop();
  }

  #dial(link: Link): void {
    if (this.#stopped || link.dialing || link.stream?.status === "open") return;
    link.dialing = true;
    const target = multiaddr(`${link.peer.address}/p2p/${link.peerId.toString()}`);
    this.#node!.dialProtocol(target, SAYLAU_PROTOCOL, {
      signal: AbortSignal.timeout(DIAL_TIMEOUT_MS),
    })
      .then((stream) => {
        link.dialing = false;
        if (this.#stopped) {
          stream.abort(new Error("stopping"));
          return;
        }
        link.stream = stream;
        link.backoffMs = this.#options.redialMinMs ?? 100;
        this.#options.onPeerStatus?.(link.peer.index, true);
        stream.addEventListener("close", () => {
          if (link.stream === stream) link.stream = undefined;
          this.#options.onPeerStatus?.(link.peer.index, false);
          this.#scheduleRedial(link);
        });
        this.#flush(link);
      })
      .catch(() => {
        link.dialing = false;
        this.#scheduleRedial(link);
      });
  }

  #scheduleRedial(link: Link): void {
    if (this.#stopped || link.timer !== undefined) return;
    const delay = link.backoffMs;
    link.backoffMs = Math.min(link.backoffMs * 2, this.#options.redialMaxMs ?? 5_000);
    link.timer = setTimeout(() => {
      link.timer = undefined;
      this.#dial(link);
    }, delay);
    link.timer.unref();
  }

  #flush(link: Link): void {
    const stream = link.stream;
    if (stream === undefined || stream.status !== "open" || link.flushing) {
      if (stream === undefined) this.#dial(link);
      return;
    }
    link.flushing = true;
    try {
      while (link.queue.length > 0) {
        const frame = link.queue.shift()!;
        link.queuedBytes -= frame.length;
        if (!stream.send(frame)) {
          // The transport's buffer is full: resume when it drains.
          stream
            .onDrain()
            .then(() => {
              link.flushing = false;
              this.#flush(link);
            })
            .catch(() => {
              link.flushing = false;
            });
          return;
        }
      }
      link.flushing = false;
    } catch {
      link.flushing = false;
      stream.abort(new Error("send failed"));
    }
  }

  #onInbound(stream: Stream, connection: Connection): void {
    const from = this.#indexByPeerId.get(connection.remotePeer.toString());
    if (from === undefined) {
      stream.abort(new Error("not a validator"));
      return;
    }
    const decoder = new FrameDecoder(this.#options.maxFrameBytes);
    stream.maxReadBufferLength = this.#options.maxFrameBytes + 8;
    stream.addEventListener("message", (event) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(event.data.subarray());
      } catch (err) {
        this.#options.onPeerMisbehaved?.(from, (err as Error).message);
        stream.abort(err as Error);
        return;
      }
      for (const frame of frames) {
        try {
          this.#options.onFrame(from, frame);
        } catch (err) {
          this.#options.onPeerMisbehaved?.(from, (err as Error).message);
        }
      }
    });
  }
}
