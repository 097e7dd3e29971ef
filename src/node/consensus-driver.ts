/**
 * Runs the pure consensus engine for a validator: feeds it network messages, ticks and
 * proposals one at a time, and carries out the actions it returns, in order: WAL records
 * are durable before any later message is sent, proposals are validated against the ledger
 * (in the background, answered as a later input), decided blocks are committed with their
 * certificates.
 *
 * The driver does not wait for a WAL record to be written before the next action or input:
 * only messages must wait, since they are the one way the engine's state leaves the node.
 * A message goes out once every record appended before it is written (records are written
 * in order), and messages go out in the order the engine emitted them. So inputs that arrive
 * during an fsync are handled meanwhile, and their records share the next fsync.
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

/** A consensus input running longer than this is logged (see #input). */
const INPUT_WARN_MS = 30_000;

export interface DriverHooks {
  /** Send consensus bytes to one validator or all others. */
  send(to: number | "all", bytes: Uint8Array): void;
  /**
   * Is this block valid on top of the tip? (never throws) `reproposal`: forced by a NEW-VIEW,
   * so not checked for freshness (see the engine's `validate` action). `waitedMs`: how long
   * the proposal that asks waited in this driver's input queue after it arrived, so its
   * freshness is judged at its arrival, not after this node's own backlog.
   */
  validate(
    height: number,
    blockHash: Uint8Array,
    payload: Uint8Array,
    reproposal: boolean,
    waitedMs: number,
  ): Promise<boolean>;
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
  /** The last WAL append not yet written, if any: messages wait for it. */
  #unwritten: Promise<void> | undefined;
  /** Messages waiting for WAL records, in emission order. */
  #held: Promise<void> = Promise.resolve();
  #heldCount = 0;
  /** WAL pruning of decided heights, in the background. */
  #pruned: Promise<void> = Promise.resolve();

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
    this.#input(() => this.engine.step(bytes), this.#now());
  }

  propose(payload: Uint8Array): void {
    this.#input(() => this.engine.propose(payload));
  }

  deliverDecided(block: DecidedBlock): Promise<void> {
    this.#input(() => this.engine.deliverDecided(block));
    return this.#queue;
  }

  /**
   * Run one engine input and its actions; inputs are handled strictly one after another.
   * `arrivedAt` (this driver's clock): when the input reached the node, if it came from a
   * peer. An input still running after INPUT_WARN_MS is logged: a stalled input stalls every
   * later one, and nothing else would say so.
   */
  #input(run: () => Action[], arrivedAt?: number): void {
    this.#queue = this.#queue
      .then(async () => {
        if (this.#stopped || this.#failed !== undefined) return;
        const started = this.#now();
        const watchdog = setTimeout(() => {
          this.#log.warn(
            { runningMs: this.#now() - started, height: this.engine.height },
            "a consensus input is still running",
          );
        }, INPUT_WARN_MS);
        watchdog.unref();
        try {
          // Keep the engine's clock current before the input; its timeouts count from it.
          await this.#execute(this.engine.tick(this.#now()));
          await this.#execute(run(), arrivedAt);
        } finally {
          clearTimeout(watchdog);
        }
        this.#hooks.settled();
        this.#arm();
      })
      .catch((err: Error) => {
        // A failure here means the ledger could not apply a block the validators decided:
        // stop taking part rather than sign anything on a state we do not have.
        this.#fail(err);
      });
  }

  #fail(err: Error): void {
    if (this.#failed !== undefined) return;
    this.#failed = err;
    this.#log.fatal({ err }, "consensus driver stopped");
  }

  #append(height: number, record: Uint8Array): void {
    const written = this.#options.wal.append(height, record);
    this.#unwritten = written;
    written.then(
      () => {
        if (this.#unwritten === written) this.#unwritten = undefined;
      },
      // A record that could not be written: its message (and every later one) is never
      // sent, and the driver takes no further input.
      (err: Error) => this.#fail(err),
    );
  }

  /** Send now if no WAL record is unwritten and nothing is held, else after them. */
  #send(to: number | "all", bytes: Uint8Array): void {
    const unwritten = this.#unwritten;
    if (unwritten === undefined && this.#heldCount === 0) {
      this.#hooks.send(to, bytes);
      return;
    }
    this.#heldCount++;
    this.#held = this.#held
      .then(() => unwritten)
      .then(
        () => {
          if (this.#failed === undefined) this.#hooks.send(to, bytes);
        },
        () => {},
      )
      .finally(() => {
        this.#heldCount--;
      });
  }

  async #execute(actions: readonly Action[], arrivedAt?: number): Promise<void> {
    for (const action of actions) {
      switch (action.type) {
        case "persist": {
          const record = this.engine.wal.decode(action.record);
          const height = record.type === "sent" ? record.message.height : record.height;
          if (height <= (this.#options.silentThrough ?? 0)) break;
          this.#append(height, action.record);
          break;
        }
        case "send":
          if (action.message.height <= (this.#options.silentThrough ?? 0)) break;
          this.#send(action.to, action.bytes);
          break;
        case "validate": {
          const { height, blockHash, payload, reproposal } = action;
          const waitedMs = arrivedAt === undefined ? 0 : this.#now() - arrivedAt;
          void this.#hooks
            .validate(height, blockHash, payload, reproposal, waitedMs)
            .then((valid) => {
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
    // Pruning is housekeeping: the next height need not wait for its synced write (which
    // usually joins the next height's first records). Prunes run one after another, each
    // after its block's commit was written, as pruneBelow requires.
    this.#pruned = this.#pruned
      .then(() => this.#options.wal.pruneBelow(height + 1))
      .catch((err: Error) => this.#log.warn({ err, height }, "could not prune the consensus WAL"));
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
    // Before the store closes: the last records (a send waits for them, but the last record
    // may have none) and the messages held for them.
    await this.#unwritten?.catch(() => {});
    await this.#held;
    await this.#pruned;
  }
}
