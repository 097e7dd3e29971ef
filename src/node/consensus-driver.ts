/**
 * Runs the pure consensus engine for a validator: feeds it network messages, ticks and
 * proposals one at a time, and carries out the actions it returns, in order: WAL records
 * are durable before any later message is sent, proposals are validated against the ledger
 * (in the background, answered as a later input), decided blocks are committed with their
 * certificates.
 */
import type { Logger } from "pino";
import { encodeWith } from "../codec/schema.ts";
import { type CommitCertificate, encodeCertificate } from "../consensus/certificate.ts";
import { ConsensusEngine, type DecidedBlock } from "../consensus/engine.ts";
import { EvidenceCodec } from "../consensus/evidence.ts";
import type { Action } from "../consensus/types.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { sign, verifySignature } from "../crypto/ed25519.ts";
import { taggedHash } from "../crypto/hash.ts";
import { SaylauError } from "../errors.ts";
import { decodeBlock, headerHash } from "../ledger/block.ts";
import type { ConsensusWal } from "./consensus-wal.ts";

export interface DriverHooks {
  /** Send consensus bytes to one validator or all others. */
  send(to: number | "all", bytes: Uint8Array): void;
  /** Is this block valid on top of the tip? (never throws) */
  validate(height: number, blockHash: Uint8Array, payload: Uint8Array): Promise<boolean>;
  /** Commit a decided block; resolves once it is durable. */
  commit(
    height: number,
    payload: Uint8Array,
    certificate: Uint8Array,
    blockHash: Uint8Array,
  ): Promise<void>;
  /** Ask peers for decided blocks from this height on. */
  fetch(fromHeight: number): void;
  /** A peer is behind: offer it decided blocks from `height`. */
  peerBehind(peer: number, height: number): void;
  /** Record equivocation evidence. */
  evidence(encoded: Uint8Array): Promise<void>;
  dropped(reason: string): void;
  /** Called after every input has been handled (proposal building, metrics). */
  settled(): void;
}

export interface DriverOptions {
  readonly electionId: Uint8Array;
  readonly validators: readonly Uint8Array[];
  readonly self: number;
  readonly seed: Uint8Array;
  readonly startHeight: number;
  readonly timeoutMs: number;
  readonly wal: ConsensusWal;
  readonly hooks: DriverHooks;
  readonly logger: Logger;
  /**
   * A resynced validator's signing fence (src/node/signing-fence.ts): what the engine signs
   * at heights up to this one is neither recorded nor sent. 0 or absent: none.
   */
  readonly silentThrough?: number;
}

/**
 * A proposal's id is its header hash; a payload that is not a block gets an id no header
 * can have (a different tag), so the engine can still name it and the validator refuses it.
 */
export function proposalHash(payload: Uint8Array): Uint8Array {
  try {
    return headerHash(decodeBlock(payload).header);
  } catch {
    return taggedHash("saylau/v1/not-a-block", payload);
  }
}

export class ConsensusDriver {
  readonly engine: ConsensusEngine;
  readonly #options: DriverOptions;
  readonly #hooks: DriverHooks;
  readonly #log: Logger;
  readonly #t0 = performance.now();
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #failed: Error | undefined;

  constructor(options: DriverOptions) {
    this.#options = options;
    this.#hooks = options.hooks;
    this.#log = options.logger;
    this.engine = new ConsensusEngine({
      electionId: options.electionId,
      validators: options.validators,
      self: options.self,
      signer: { sign: (message) => sign(options.seed, message) },
      verify: verifySignature,
      proposalHash,
      startHeight: options.startHeight,
      timeouts: { baseMs: options.timeoutMs, backoff: 2, maxMs: options.timeoutMs * 32 },
    });
  }

  /** Replay the WAL of undecided heights, then start the timer loop. */
  async start(): Promise<void> {
    const records = await this.#options.wal.load(this.engine.height);
    this.#log.info(
      { records: records.length, height: this.engine.height },
      "consensus restored from WAL",
    );
    this.#input(() => this.engine.restore(records));
    await this.#queue;
  }

  get failure(): Error | undefined {
    return this.#failed;
  }

  #now(): number {
    return Math.floor(performance.now() - this.#t0);
  }

  step(bytes: Uint8Array): void {
    this.#input(() => this.engine.step(bytes));
  }

  propose(payload: Uint8Array): void {
    this.#input(() => this.engine.propose(payload));
  }

  deliverDecided(block: DecidedBlock): Promise<void> {
    this.#input(() => this.engine.deliverDecided(block));
    return this.#queue;
  }

  /** Run one engine input and its actions; inputs are handled strictly one after another. */
  #input(run: () => Action[]): void {
    this.#queue = this.#queue
      .then(async () => {
        if (this.#stopped || this.#failed !== undefined) return;
        // Keep the engine's clock current before the input; its timeouts count from it.
        await this.#execute(this.engine.tick(this.#now()));
        await this.#execute(run());
        this.#hooks.settled();
        this.#arm();
      })
      .catch((err: Error) => {
        // A failure here means the ledger could not apply a block the validators decided:
        // stop taking part rather than sign anything on a state we do not have.
        this.#failed = err;
        this.#log.fatal({ err }, "consensus driver stopped");
      });
  }

  async #execute(actions: readonly Action[]): Promise<void> {
    for (const action of actions) {
      switch (action.type) {
        case "persist": {
          const record = this.engine.wal.decode(action.record);
          const height = record.type === "sent" ? record.message.height : record.height;
          if (height <= (this.#options.silentThrough ?? 0)) break;
          await this.#options.wal.append(height, action.record);
          break;
        }
        case "send":
          if (action.message.height <= (this.#options.silentThrough ?? 0)) break;
          this.#hooks.send(action.to, action.bytes);
          break;
        case "validate": {
          const { height, blockHash, payload } = action;
          void this.#hooks.validate(height, blockHash, payload).then((valid) => {
            this.#input(() => this.engine.validated(height, blockHash, valid));
          });
          break;
        }
        case "decide":
          await this.#decide(action.height, action.payload, action.certificate);
          break;
        case "fetch":
          this.#hooks.fetch(action.fromHeight);
          break;
        case "evidence":
          this.#log.warn(
            { evidence: action.evidence.phase },
            "validator equivocated; evidence recorded",
          );
          await this.#hooks.evidence(encodeWith(EvidenceCodec, action.evidence));
          break;
        case "dropped":
          this.#hooks.dropped(action.reason);
          if (
            action.reason === "consensus/stale_height" &&
            action.from !== undefined &&
            action.height !== undefined
          ) {
            this.#hooks.peerBehind(action.from, action.height);
          }
          break;
      }
    }
  }

  async #decide(
    height: number,
    payload: Uint8Array,
    certificate: CommitCertificate,
  ): Promise<void> {
    const hash = proposalHash(payload);
    if (!bytesEqual(hash, certificate.blockHash)) {
      throw new SaylauError(
        "node/bad_decision",
        `decided payload at ${height} does not match its certificate`,
      );
    }
    await this.#hooks.commit(height, payload, encodeCertificate(certificate), hash);
    await this.#options.wal.pruneBelow(height + 1);
    this.#log.debug({ height, block: toHex(hash).slice(0, 16) }, "decided");
  }

  #arm(): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const wake = this.engine.nextWakeup();
    if (wake === null) return;
    const delay = Math.max(0, wake - this.#now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#input(() => this.engine.tick(this.#now()));
    }, delay + 1);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#queue;
  }
}
