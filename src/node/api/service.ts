/**
 * What the HTTP API needs from a validator node. The node implements it; route tests can
 * run against a real node in-process. Bytes are lowercase hex in every view.
 */
import type { ResultsView } from "../../ledger/results.ts";
export interface SubmitResult {
  readonly id: string;
  readonly trackingCode: string;
  readonly type: string;
}

export type TxStatusView =
  | { readonly id: string; readonly trackingCode: string; readonly status: "pending" }
  | {
      readonly id: string;
      readonly trackingCode: string;
      /** Accepted (202) here but left the pool without being committed, for `reason`. */
      readonly status: "dropped";
      readonly reason: { readonly code: string; readonly message: string };
    }
  | {
      readonly id: string;
      readonly trackingCode: string;
      readonly status: "committed";
      readonly height: number;
      readonly index: number;
      readonly leafIndex: number;
      /** A ballot only: the later ballot of the same voter that counts instead of this one. */
      readonly replacedBy?: string;
    };

export interface HeaderView {
  readonly electionId: string;
  readonly height: number;
  readonly prevHash: string;
  readonly time: number;
  readonly proposer: number;
  readonly txCount: number;
  readonly logSize: number;
  readonly logRoot: string;
  readonly stateHash: string;
}

export interface BlockView {
  readonly height: number;
  readonly hash: string;
  readonly header: HeaderView;
  /** Canonical block bytes, hex: what an auditor re-hashes. */
  readonly block: string;
  /** Canonical commit certificate, hex; null for genesis. */
  readonly certificate: string | null;
  readonly txIds: string[];
}

export interface ReceiptView {
  readonly ballotId: string;
  readonly trackingCode: string;
  readonly leafIndex: number;
  readonly header: HeaderView;
  readonly auditPath: string[];
  readonly certificate: string;
  /** The whole receipt as canonical CBOR, hex: what `saylau receipt verify` checks. */
  readonly receipt: string;
}

export interface StatusView {
  readonly electionId: string;
  readonly validator: number;
  readonly height: number;
  readonly headHash: string;
  readonly logSize: number;
  readonly phase: string;
  readonly view: number;
  readonly mempool: number;
  readonly peers: number[];
  readonly syncing: boolean;
}

export interface ElectionView {
  readonly electionId: string;
  readonly name: string;
  readonly manifest: string;
  readonly validators: { name: string; publicKey: string }[];
  readonly contests: {
    label: string;
    options: string[];
    limit: number;
    scope: { level: string; index: number };
  }[];
  readonly threshold: number;
  readonly trustees: number;
  readonly schedule: { opensAt: number; closesAt: number; timeZone: string };
  readonly commission: { threshold: number; members: string[] };
  readonly regions: {
    id: string;
    name: string;
    registrar: string;
    districts: { index: number; id: string; name: string; style: number[] }[];
  }[];
}

export type { ResultsView };

export interface DistrictTallyView {
  readonly index: number;
  readonly id: string;
  readonly ballotCount: number;
  /** Canonical encrypted tally of the district, hex (docs/ELECTION-CRYPTO.md). */
  readonly tally: string;
  readonly decryptions: number[];
  readonly decrypted: boolean;
}

export interface TallyView {
  readonly height: number;
  readonly phase: string;
  readonly closesAt: number;
  readonly districts: DistrictTallyView[];
}

export interface CeremonyView {
  /** The key ceremony's public transcript, hex (ELECTION-CRYPTO.md). */
  readonly transcript: string;
  /** Its hash: the manifest's `ceremony`. */
  readonly hash: string;
}

export interface CredentialView {
  readonly credential: string;
  readonly district: number;
  readonly districtId: string;
  readonly region: string;
  readonly revoked: boolean;
  readonly seq: number | null;
  readonly ballotId: string | null;
}

export interface ConsistencyView {
  readonly from: number;
  readonly to: number;
  readonly fromRoot: string;
  readonly toRoot: string;
  readonly proof: string[];
}

/** One statement of an evidence, without its signature (that is in the canonical bytes). */
export interface EvidenceStatementView {
  readonly blockHash: string | null;
  readonly preparedView: number | null;
}

export interface EvidenceView {
  /** H("saylau/v1/evidence", canonical bytes), hex. */
  readonly id: string;
  /** The canonical evidence bytes, hex: what a verifier checks (docs/CONSENSUS.md). */
  readonly evidence: string;
  readonly validator: number;
  readonly phase: string;
  readonly height: number;
  readonly view: number;
  readonly first: EvidenceStatementView;
  readonly second: EvidenceStatementView;
}

export interface EvidencePageView {
  /** In ascending id order. */
  readonly evidence: EvidenceView[];
  /** Pass as `after` for the next page; null when this page is the last. */
  readonly next: string | null;
}

export interface NodeService {
  submit(tx: Uint8Array, onlyType?: "ballot"): Promise<SubmitResult>;
  txStatus(idOrTrackingCode: string): Promise<TxStatusView>;
  receipt(idOrTrackingCode: string): Promise<ReceiptView>;
  block(height: number): Promise<BlockView>;
  blocks(from: number, limit: number): Promise<BlockView[]>;
  election(): ElectionView;
  status(): StatusView;
  results(): ResultsView;
  tally(): TallyView;
  credential(key: string): Promise<CredentialView>;
  ceremony(): CeremonyView;
  consistency(from: number, to: number): Promise<ConsistencyView>;
  /** Equivocation evidence with ids above `after` (hex; null: from the first), at most `limit`. */
  evidence(after: string | null, limit: number): EvidencePageView;
  metrics(): Promise<{ contentType: string; body: string }>;
  health(): { ok: boolean; detail: string };
  /**
   * The verification backlog in ms (VerifyPool.backlogMs): about how long a transaction
   * submitted now would wait for a worker. The API sheds submissions on it.
   */
  verifyBacklogMs(): number;
}
