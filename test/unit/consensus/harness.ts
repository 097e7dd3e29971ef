/**
 * A hand-driven cluster for scripted tests: every message waits in `inbox` until the test
 * delivers it, so each test sets up exactly the interleaving it is about.
 */
import { encodeWith } from "../../../src/codec/schema.ts";
import {
  type Action,
  ConsensusEngine,
  type ConsensusMessage,
  consensusStatement,
} from "../../../src/consensus/index.ts";
import { utf8 } from "../../../src/crypto/bytes.ts";
import { taggedHash } from "../../../src/crypto/hash.ts";
import { blockHash } from "../../sim/block.ts";
import { type CryptoKind, simCrypto } from "../../sim/sim-crypto.ts";

export interface InFlight {
  readonly from: number;
  readonly to: number;
  readonly message: ConsensusMessage;
  readonly bytes: Uint8Array;
}

export const TIMEOUTS = { baseMs: 1000, backoff: 2, maxMs: 16_000 };

export class ManualCluster {
  readonly crypto;
  readonly electionId = taggedHash("saylau/v1/test-election", utf8("manual"));
  readonly engines: ConsensusEngine[] = [];
  readonly wal: Uint8Array[][] = [];
  readonly decided: { height: number; payload: Uint8Array; view: number; signers: number }[][] = [];
  readonly log: Action[][] = [];
  readonly fetches: { node: number; fromHeight: number }[] = [];
  inbox: InFlight[] = [];
  readonly down = new Set<number>();
  now = 0;
  /** The validity predicate's answer to each `validate` action (yes unless a test says). */
  judge: (node: number, action: Extract<Action, { type: "validate" }>) => boolean = () => true;

  readonly n: number;

  constructor(n: number, kind: CryptoKind = "stand-in") {
    this.n = n;
    this.crypto = simCrypto(kind, 7, n);
    for (let i = 0; i < n; i++) {
      this.engines.push(this.newEngine(i, 1));
      this.wal.push([]);
      this.decided.push([]);
      this.log.push([]);
    }
  }

  newEngine(i: number, startHeight: number): ConsensusEngine {
    return new ConsensusEngine({
      electionId: this.electionId,
      validators: this.crypto.publicKeys,
      self: i,
      signer: this.crypto.signerFor(i),
      verify: this.crypto.verify,
      proposalHash: blockHash,
      startHeight,
      timeouts: TIMEOUTS,
    });
  }

  /** Carries out actions the way a node must: persist, then send; validate asks `judge`. */
  run(i: number, actions: Action[]): void {
    if (this.down.has(i)) return;
    this.log[i]!.push(...actions);
    for (const a of actions) {
      switch (a.type) {
        case "persist":
          this.wal[i]!.push(a.record);
          break;
        case "send":
          for (let to = 0; to < this.n; to++) {
            if (to === i || (a.to !== "all" && a.to !== to)) continue;
            this.inbox.push({ from: i, to, message: a.message, bytes: a.bytes });
          }
          break;
        case "validate":
          this.run(i, this.engines[i]!.validated(a.height, a.blockHash, this.judge(i, a)));
          break;
        case "decide":
          this.decided[i]!.push({
            height: a.height,
            payload: a.payload,
            view: a.certificate.view,
            signers: a.certificate.signatures.length,
          });
          break;
        case "fetch":
          this.fetches.push({ node: i, fromHeight: a.fromHeight });
          break;
        default:
          break;
      }
    }
  }

  /**
   * The bytes of a PREPARE for (height 1, view 0) on `hash`, signed by `sender`; `over`
   * replaces fields after signing, to make forgeries and malformed messages.
   */
  prepareFrom(sender: number, hash: Uint8Array, over: Record<string, unknown> = {}): Uint8Array {
    return encodeWith(this.engines[0]!.codecs.message, {
      type: "prepare",
      electionId: this.electionId,
      height: 1,
      view: 0,
      sender,
      blockHash: hash,
      sig: this.crypto
        .signerFor(sender)
        .sign(consensusStatement(this.electionId, "prepare", 1, 0, hash, null)),
      ...over,
    } as never);
  }

  propose(i: number, payload: Uint8Array): void {
    this.run(i, this.engines[i]!.propose(payload));
  }

  /** Delivers matching messages (and whatever they cause) until none match. */
  deliver(filter: (m: InFlight) => boolean = () => true, maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      const now = this.inbox.filter(filter);
      if (now.length === 0) return;
      this.inbox = this.inbox.filter((m) => !filter(m));
      for (const m of now) {
        if (this.down.has(m.to)) continue;
        this.run(m.to, this.engines[m.to]!.step(m.bytes));
      }
    }
  }

  tickAll(now: number): void {
    this.now = now;
    for (let i = 0; i < this.n; i++) {
      if (!this.down.has(i)) this.run(i, this.engines[i]!.tick(now));
    }
  }

  crash(i: number): void {
    this.down.add(i);
    this.inbox = this.inbox.filter((m) => m.to !== i && m.from !== i);
  }

  restart(i: number): Action[] {
    this.down.delete(i);
    const startHeight = this.decided[i]!.length + 1;
    this.engines[i] = this.newEngine(i, startHeight);
    this.run(i, this.engines[i]!.tick(this.now));
    const actions = this.engines[i]!.restore(this.wal[i]!);
    this.run(i, actions);
    return actions;
  }
}

export function payloadFor(height: number, proposer: number, nonce = 0): Uint8Array {
  // Any bytes do for the engine; the sim's block format keeps payloads readable in failures.
  return utf8(`block h=${height} p=${proposer} n=${nonce}`);
}
