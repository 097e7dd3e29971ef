/**
 * Block sync: serving decided blocks with their certificates to peers that ask or are behind,
 * asking peers for the blocks this node lacks, and handing what they send to the consensus
 * driver, which checks each certificate and block before it is committed.
 */
import type { Logger } from "pino";
import { decodeCertificate } from "../consensus/certificate.ts";
import { decodeBlock } from "../ledger/block.ts";
import type { ConsensusDriver } from "./consensus-driver.ts";
import type { LedgerReplica } from "./ledger-replica.ts";
import type { ValidatorNetwork } from "./p2p/validator-network.ts";
import { encodeWire, MAX_SYNC_BLOCKS } from "./wire.ts";

const SYNC_POLL_MS = 2000;

export interface BlockSyncParts {
  readonly replica: LedgerReplica;
  readonly network: Pick<ValidatorNetwork, "send" | "broadcast">;
  readonly driver: Pick<ConsensusDriver, "engine" | "deliverDecided">;
  readonly log: Logger;
  /** Runs at every poll, after the request for blocks (forwarding lingering transactions). */
  readonly onPoll: () => void;
}

type SyncedBlock = { block: Uint8Array; certificate: Uint8Array };

export class BlockSync {
  readonly #parts: BlockSyncParts;
  #timer: NodeJS.Timeout | undefined;
  #syncing = false;
  readonly #lastOffered = new Map<number, number>();
  readonly #lastFetchServed = new Map<number, number>();

  constructor(parts: BlockSyncParts) {
    this.#parts = parts;
  }

  get syncing(): boolean {
    return this.#syncing;
  }

  /** A peer's `fetch` frame. */
  onFetch(from: number, fromHeight: number, max: number): void {
    // One block request per peer per 100 ms: each one costs reads and a large reply.
    const last = this.#lastFetchServed.get(from) ?? 0;
    if (performance.now() - last < 100) return;
    this.#lastFetchServed.set(from, performance.now());
    void this.#serveBlocks(from, fromHeight, max);
  }

  /** A peer's `blocks` frame. */
  onBlocks(from: number, blocks: SyncedBlock[], head: number): void {
    void this.#applyFetched(from, blocks, head);
  }

  /** The driver learnt it is behind: ask every peer for blocks from `fromHeight` on. */
  fetch(fromHeight: number): void {
    this.#syncing = true;
    this.#requestBlocks(fromHeight, "all");
  }

  /** The driver saw `peer` is behind: offer it blocks from `height`, at most once a second. */
  offer(peer: number, height: number): void {
    const last = this.#lastOffered.get(peer) ?? 0;
    if (performance.now() - last < 1000) return;
    this.#lastOffered.set(peer, performance.now());
    void this.#serveBlocks(peer, height, MAX_SYNC_BLOCKS);
  }

  async #serveBlocks(to: number, fromHeight: number, max: number): Promise<void> {
    const { replica, network } = this.#parts;
    const head = replica.height;
    const blocks: SyncedBlock[] = [];
    const last = Math.min(head, fromHeight + Math.min(max, MAX_SYNC_BLOCKS) - 1);
    for (let h = Math.max(1, fromHeight); h <= last; h++) {
      // A read that fails (store/corrupt, logged by the store) ends the reply, not the process.
      const [block, certificate] = await Promise.all([
        replica.store.blockBytes(h),
        replica.store.certificate(h),
      ]).catch(() => [undefined, undefined]);
      if (block === undefined || certificate === undefined) break;
      blocks.push({ block, certificate });
    }
    network.send(to, encodeWire({ kind: "blocks", blocks, head }));
  }

  async #applyFetched(from: number, blocks: SyncedBlock[], head: number): Promise<void> {
    const { replica, driver } = this.#parts;
    for (const { block, certificate } of blocks) {
      let height: number;
      let cert: ReturnType<typeof decodeCertificate>;
      try {
        height = decodeBlock(block).header.height;
        cert = decodeCertificate(certificate);
      } catch (err) {
        this.#parts.log.warn(
          { peer: from, err: (err as Error).message },
          "peer sent an undecodable block",
        );
        return;
      }
      if (height !== driver.engine.height) continue;
      await driver.deliverDecided({ height, payload: block, certificate: cert });
    }
    this.#syncing = head > replica.height;
    if (this.#syncing) this.#requestBlocks(replica.height + 1, from);
  }

  #requestBlocks(fromHeight: number, to: number | "all"): void {
    const frame = encodeWire({ kind: "fetch", fromHeight, max: MAX_SYNC_BLOCKS });
    if (to === "all") this.#parts.network.broadcast(frame);
    else this.#parts.network.send(to, frame);
  }

  /** Start polling the peers for blocks above this node's head. */
  start(): void {
    // Idle validators exchange no consensus messages, so a node that restarted behind would
    // not learn it is behind: ask the peers for anything above our head now and then.
    this.#timer = setTimeout(() => {
      this.#requestBlocks(this.#parts.replica.height + 1, "all");
      this.#parts.onPoll();
      this.start();
    }, SYNC_POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}
