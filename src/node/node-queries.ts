/** The HTTP API's view of a validator: reads from the store and the tip, admission via submit. */

import { decodeCertificate } from "../consensus/certificate.ts";
import { bytesEqual, fromHex, toHex } from "../crypto/bytes.ts";
import { parseTrackingCode, trackingCode } from "../election/tracking-code.ts";
import { SaylauError } from "../errors.ts";
import { type BlockHeader, headerHash } from "../ledger/block.ts";
import { resultsOf } from "../ledger/results.ts";
import { tallyBytes } from "../ledger/state.ts";
import { PREFIX } from "../ledger/store/keys.ts";
import { txId } from "../ledger/transactions.ts";
import { encodeReceipt } from "../receipt/receipt.ts";
import type {
  BlockView,
  CeremonyView,
  ConsistencyView,
  CredentialView,
  ElectionView,
  EvidencePageView,
  HeaderView,
  NodeService,
  ReceiptView,
  ResultsView,
  StatusView,
  SubmitResult,
  TallyView,
  TxStatusView,
} from "./api/service.ts";
import { replacedBy } from "./ballot-standing.ts";
import { evidenceView } from "./evidence-view.ts";
import type { NodeView } from "./node-view.ts";

/** Encoded block bytes in one page of GET /v1/blocks (before hex), unless one block is more. */
export const MAX_BLOCK_PAGE_BYTES = 8 * 1024 * 1024;

export function headerView(h: BlockHeader): HeaderView {
  return {
    electionId: toHex(h.electionId),
    height: h.height,
    prevHash: toHex(h.prevHash),
    time: h.time,
    proposer: h.proposer,
    txCount: h.txCount,
    logSize: h.logSize,
    logRoot: toHex(h.logRoot),
    stateHash: toHex(h.stateHash),
  };
}

export class NodeQueries implements NodeService {
  readonly #node: NodeView;

  constructor(node: NodeView) {
    this.#node = node;
  }

  submit(tx: Uint8Array, onlyType?: "ballot"): Promise<SubmitResult> {
    return this.#node.submit(tx, onlyType);
  }

  /** A 64-hex id, or a tracking code (resolved by a prefix scan of the tx index). */
  async #resolveId(idOrCode: string): Promise<Uint8Array> {
    if (/^[0-9a-f]{64}$/.test(idOrCode)) return fromHex(idOrCode);
    let prefix: Uint8Array;
    try {
      prefix = parseTrackingCode(idOrCode);
    } catch {
      throw new SaylauError(
        "api/invalid_request",
        "expected a 64-hex transaction id or a tracking code",
      );
    }
    for (const tx of this.#node.mempool.candidates(Number.MAX_SAFE_INTEGER)) {
      const id = txId(tx);
      if (toHex(id).startsWith(toHex(prefix))) return id;
    }
    const start = new Uint8Array(1 + prefix.length);
    start[0] = PREFIX.txLocation;
    start.set(prefix, 1);
    // Scan from the prefix and stop at the first key that no longer starts with it.
    for await (const key of this.#node.replica.store.db.keys({ gte: start, limit: 1 })) {
      if (key.length === 33 && bytesEqual(key.subarray(0, start.length), start))
        return key.subarray(1);
    }
    throw new SaylauError("node/not_found", `no transaction with tracking code ${idOrCode}`);
  }

  async txStatus(idOrCode: string): Promise<TxStatusView> {
    const id = await this.#resolveId(idOrCode);
    const hex = toHex(id);
    const code = trackingCode(id);
    const location = await this.#node.replica.store.txLocation(id);
    if (location !== undefined) {
      const later = await replacedBy(this.#node.replica, id, location);
      return {
        id: hex,
        trackingCode: code,
        status: "committed",
        ...location,
        ...(later === null ? {} : { replacedBy: later }),
      };
    }
    if (this.#node.mempool.has(hex)) return { id: hex, trackingCode: code, status: "pending" };
    const reason = await this.#node.mempool.dropReason(hex);
    if (reason !== undefined) return { id: hex, trackingCode: code, status: "dropped", reason };
    throw new SaylauError(
      "node/not_found",
      `transaction ${hex} is neither pending nor committed here`,
    );
  }

  async receipt(idOrCode: string): Promise<ReceiptView> {
    const id = await this.#resolveId(idOrCode);
    const store = this.#node.replica.store;
    const location = await store.txLocation(id);
    if (location === undefined) {
      const pending = this.#node.mempool.has(toHex(id));
      const dropped = pending ? undefined : await this.#node.mempool.dropReason(toHex(id));
      throw new SaylauError(
        pending ? "node/not_committed" : "node/not_found",
        pending
          ? "the ballot is pending; a receipt exists once it is committed"
          : dropped !== undefined
            ? `the ballot was not committed and never will be (${dropped.code}: ${dropped.message})`
            : store.base === undefined
              ? "no such transaction here"
              : `no such transaction here: this validator was state-synced at height ${store.base.height} and holds no transactions committed up to it`,
      );
    }
    // Against the current head: the freshest signed log root that includes the ballot.
    const head = store.head();
    const certificateBytes = await store.certificate(head.height);
    if (certificateBytes === undefined) throw store.corrupt("head has no certificate");
    const auditPath = await store.inclusionProof(location.leafIndex, head.header.logSize);
    const receipt = {
      version: 1,
      ballotId: id,
      leafIndex: location.leafIndex,
      header: head.header,
      auditPath,
      certificate: store.decodeStored("head certificate", () =>
        decodeCertificate(certificateBytes),
      ),
    };
    return {
      ballotId: toHex(id),
      trackingCode: trackingCode(id),
      leafIndex: location.leafIndex,
      header: headerView(head.header),
      auditPath: auditPath.map(toHex),
      certificate: toHex(certificateBytes),
      receipt: toHex(encodeReceipt(receipt)),
    };
  }

  async #blockView(height: number, bytes: Uint8Array): Promise<BlockView> {
    // Stored bytes that do not decode are this node's disk failing (500), not a bad request.
    const block = this.#node.replica.store.decodeBlockAt(height, bytes);
    const certificate = await this.#node.replica.store.certificate(height);
    return {
      height,
      hash: toHex(headerHash(block.header)),
      header: headerView(block.header),
      block: toHex(bytes),
      certificate: certificate === undefined ? null : toHex(certificate),
      txIds: block.txs.map((t) => toHex(txId(t))),
    };
  }

  /** A state-synced validator holds no block below its snapshot: say so, not "not found". */
  #checkHeld(height: number): void {
    const store = this.#node.replica.store;
    if (height >= store.firstBlock || height > this.#node.replica.height) return;
    throw new SaylauError(
      "node/pruned",
      `this validator was state-synced at height ${store.base?.height} and holds blocks from ${store.firstBlock} on; ask another validator for block ${height}`,
      { firstBlock: store.firstBlock },
    );
  }

  async block(height: number): Promise<BlockView> {
    this.#checkHeld(height);
    const bytes = await this.#node.replica.store.blockBytes(height);
    if (bytes === undefined)
      throw new SaylauError(
        "node/not_found",
        `no block at height ${height} (head is ${this.#node.replica.height})`,
      );
    return this.#blockView(height, bytes);
  }

  /**
   * Up to `limit` blocks from `from`, and fewer once they hold MAX_BLOCK_PAGE_BYTES (at least
   * one): full blocks of large ballots are about 1 MB each, and a page of 100 of them as hex
   * JSON would be 200 MB in one answer. The caller pages on with `next`.
   */
  async blocks(from: number, limit: number): Promise<BlockView[]> {
    this.#checkHeld(from);
    const out: BlockView[] = [];
    const { store } = this.#node.replica;
    for await (const b of store.blocksInRange(from, from + limit - 1, MAX_BLOCK_PAGE_BYTES)) {
      out.push(await this.#blockView(b.height, b.block));
    }
    return out;
  }

  election(): ElectionView {
    const { manifest, manifestBytes, electionId, geography } = this.#node.replica.ctx;
    return {
      electionId: toHex(electionId),
      name: manifest.name,
      manifest: toHex(manifestBytes),
      validators: manifest.validators.map((v) => ({ name: v.name, publicKey: toHex(v.publicKey) })),
      contests: manifest.election.contests.map((c, i) => ({
        label: c.label,
        options: [...c.options],
        limit: c.limit,
        scope: { ...manifest.scopes[i]! },
      })),
      threshold: manifest.election.threshold,
      trustees: manifest.election.trustees.length,
      schedule: { ...manifest.schedule },
      commission: {
        threshold: manifest.commission.threshold,
        members: manifest.commission.members.map((m) => m.name),
      },
      regions: manifest.regions.map((r, ri) => ({
        id: r.id,
        name: r.name,
        registrar: toHex(r.registrar),
        districts: geography.districts
          .filter((d) => d.region === ri)
          .map((d) => ({ index: d.index, id: d.id, name: d.name, style: [...d.style] })),
      })),
    };
  }

  status(): StatusView {
    const node = this.#node;
    const tip = node.replica.tip;
    return {
      electionId: toHex(node.replica.ctx.electionId),
      validator: node.self,
      height: tip.header.height,
      headHash: toHex(tip.hash),
      logSize: tip.header.logSize,
      phase: tip.state.phase,
      view: node.driver.engine.view,
      mempool: node.mempool.size,
      peers: node.network.connectedPeers(),
      syncing: node.syncing,
    };
  }

  results(): ResultsView {
    const { ctx, tip } = this.#node.replica;
    return resultsOf(ctx, tip.state);
  }

  tally(): TallyView {
    const { ctx, tip } = this.#node.replica;
    const { state } = tip;
    return {
      height: state.height,
      phase: state.phase,
      closesAt: state.closesAt,
      districts: state.districts.map((d, i) => ({
        index: i,
        id: ctx.geography.districts[i]!.id,
        ballotCount: d.tally.ballotCount,
        tally: toHex(tallyBytes(d.tally)),
        decryptions: d.decryptions.map((share) => share.trustee),
        decrypted: d.result !== null,
      })),
    };
  }

  ceremony(): CeremonyView {
    const transcript = this.#node.ceremony;
    if (transcript === null) {
      throw new SaylauError(
        "api/not_found",
        "this validator was not given the ceremony transcript (config ceremonyFile)",
      );
    }
    return { transcript: toHex(transcript), hash: toHex(this.#node.replica.ctx.manifest.ceremony) };
  }

  async credential(key: string): Promise<CredentialView> {
    const { ctx } = this.#node.replica;
    const [record] = await this.#node.replica.credentials([fromHex(key)]);
    if (record === null || record === undefined) {
      throw new SaylauError("node/not_found", `credential ${key} is not registered`);
    }
    const district = ctx.geography.districts[record.district]!;
    return {
      credential: key,
      district: record.district,
      districtId: district.id,
      region: ctx.manifest.regions[district.region]!.id,
      revoked: record.revoked,
      seq: record.seq,
      ballotId: record.ballotId === null ? null : toHex(record.ballotId),
    };
  }

  async consistency(from: number, to: number): Promise<ConsistencyView> {
    const store = this.#node.replica.store;
    if (from < 1 || from > to) throw new SaylauError("store/bad_range", "need 1 <= from <= to");
    const proof = await store.consistencyProof(from, to);
    return {
      from,
      to,
      fromRoot: toHex(await store.rootAt(from)),
      toRoot: toHex(await store.rootAt(to)),
      proof: proof.map(toHex),
    };
  }

  evidence(after: string | null, limit: number): EvidencePageView {
    const { items, next } = this.#node.evidence.pool.page(after, limit);
    return { evidence: items.map(evidenceView), next };
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    const registry = this.#node.metrics.registry;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  health(): { ok: boolean; detail: string } {
    const corrupt = this.#node.replica.store.corruption;
    if (corrupt !== undefined) return { ok: false, detail: `store corrupt: ${corrupt.message}` };
    const failure = this.#node.driver.failure;
    if (failure !== undefined)
      return { ok: false, detail: `consensus stopped: ${failure.message}` };
    const peers = this.#node.network.connectedPeers().length;
    return { ok: true, detail: `height ${this.#node.replica.height}, ${peers} peers connected` };
  }

  verifyBacklogMs(): number {
    return this.#node.pool.backlogMs();
  }
}
