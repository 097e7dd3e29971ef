/**
 * The equivocation evidence a validator holds, in LevelDB under PREFIX.evidence keyed by the
 * evidence id (H("saylau/v1/evidence", canonical bytes)), and in memory for the API.
 *
 * Only evidence that verifies against the manifest's validators is kept, each proof once
 * (by id). A Byzantine validator can sign any number of conflicting statements about itself
 * (at any height and view, nothing bounds them), so every one of them would be new valid
 * evidence: at most MAX_EVIDENCE_PER_VALIDATOR proofs are kept per accused validator. One
 * already proves it faulty; the bound keeps what honest validators store, send and serve
 * finite (validators x 16, at most 343 bytes each).
 */
import type { Level } from "level";
import {
  type Evidence,
  evidenceId,
  MAX_EVIDENCE_PER_VALIDATOR,
  verifyEncodedEvidence,
} from "../consensus/evidence.ts";
import { bytesEqual, toHex } from "../crypto/bytes.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { PREFIX } from "../ledger/store/keys.ts";

/** Before evidence was keyed by id it was keyed by a sequence number: 0x22 || u64. */
const LEGACY_KEY_BYTES = 9;

export interface StoredEvidence {
  /** The id, lowercase hex: the key the pool, the API and the export name it by. */
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly evidence: Evidence;
}

/**
 * What became of offered evidence that verifies: stored now, already held, or not stored
 * because the pool holds the most it keeps against that validator.
 */
export type EvidenceOutcome = "new" | "known" | "full";

function keyOf(id: Uint8Array): Uint8Array {
  const key = new Uint8Array(1 + id.length);
  key[0] = PREFIX.evidence;
  key.set(id, 1);
  return key;
}

export interface EvidenceLoad {
  readonly loaded: number;
  /** Entries under the old sequence-number keys, now stored under their ids. */
  readonly migrated: number;
  /** Entries that do not verify, are not under their id, or are past the bound: ignored. */
  readonly ignored: number;
}

export class EvidencePool {
  readonly #db: Level<Uint8Array, Uint8Array>;
  readonly #electionId: Uint8Array;
  readonly #validators: readonly Uint8Array[];
  readonly #byId = new Map<string, StoredEvidence>();
  readonly #perValidator = new Map<number, number>();
  /** Admitted, not yet durable: counted as held, not served. */
  readonly #writing = new Set<string>();

  constructor(
    db: Level<Uint8Array, Uint8Array>,
    electionId: Uint8Array,
    validators: readonly Uint8Array[],
  ) {
    this.#db = db;
    this.#electionId = electionId;
    this.#validators = validators;
  }

  /** Reads what is stored, checking it as if it had just arrived. Call once, before offer. */
  async load(): Promise<EvidenceLoad> {
    const entries: [Uint8Array, Uint8Array][] = [];
    for await (const entry of this.#db.iterator({
      gte: Uint8Array.of(PREFIX.evidence),
      lt: Uint8Array.of(PREFIX.evidence + 1),
    })) {
      entries.push(entry);
    }
    let migrated = 0;
    let ignored = 0;
    const rewrite: (
      | { type: "del"; key: Uint8Array }
      | { type: "put"; key: Uint8Array; value: Uint8Array }
    )[] = [];
    for (const [key, bytes] of entries) {
      const id = evidenceId(bytes);
      const legacy = key.length === LEGACY_KEY_BYTES;
      const outcome = legacy || bytesEqual(key, keyOf(id)) ? this.#check(bytes, id) : null;
      if (outcome === "new" && legacy) {
        rewrite.push({ type: "del", key }, { type: "put", key: keyOf(id), value: bytes });
        migrated++;
      } else if (outcome !== "new") {
        ignored++;
      }
    }
    if (rewrite.length > 0) await this.#db.batch(rewrite);
    return { loaded: this.#byId.size, migrated, ignored };
  }

  /** Verifies and admits to memory; null when it does not verify. */
  #check(bytes: Uint8Array, id: Uint8Array): EvidenceOutcome | null {
    try {
      return this.#admit(bytes, id);
    } catch {
      return null;
    }
  }

  /**
   * Throws `codec/*` for bytes that are not one canonical evidence and
   * `consensus/bad_evidence` for evidence that does not prove equivocation by a validator of
   * this election. Held in memory before the write, so a second copy arriving meanwhile is
   * `known`.
   */
  #admit(bytes: Uint8Array, idBytes: Uint8Array): EvidenceOutcome {
    const id = toHex(idBytes);
    // An exact copy of what is held costs a hash, not two signature checks.
    if (this.#byId.has(id)) return "known";
    const evidence = verifyEncodedEvidence(
      this.#electionId,
      this.#validators,
      bytes,
      verifySignature,
    );
    const held = this.#perValidator.get(evidence.validator) ?? 0;
    if (held >= MAX_EVIDENCE_PER_VALIDATOR) return "full";
    this.#perValidator.set(evidence.validator, held + 1);
    this.#byId.set(id, { id, bytes, evidence });
    return "new";
  }

  /** Verifies evidence and stores it durably if it is new; see #admit for what it throws. */
  async offer(bytes: Uint8Array): Promise<{ outcome: EvidenceOutcome; stored?: StoredEvidence }> {
    const idBytes = evidenceId(bytes);
    const outcome = this.#admit(bytes, idBytes);
    if (outcome !== "new") return { outcome };
    const stored = this.#byId.get(toHex(idBytes))!;
    this.#writing.add(stored.id);
    try {
      await this.#db.put(keyOf(idBytes), bytes);
    } catch (err) {
      this.#byId.delete(stored.id);
      this.#perValidator.set(
        stored.evidence.validator,
        (this.#perValidator.get(stored.evidence.validator) ?? 1) - 1,
      );
      throw err;
    } finally {
      this.#writing.delete(stored.id);
    }
    return { outcome, stored };
  }

  /** Evidence held durably. */
  get size(): number {
    return this.#byId.size - this.#writing.size;
  }

  /**
   * Up to `limit` durable items in ascending id order with ids above `after` (hex; null:
   * from the first), and the id to ask after for the next page, null when there is none.
   */
  page(after: string | null, limit: number): { items: StoredEvidence[]; next: string | null } {
    const ids = [...this.#byId.keys()]
      .filter((id) => (after === null || id > after) && !this.#writing.has(id))
      .sort();
    const items = ids.slice(0, limit).map((id) => this.#byId.get(id)!);
    const next = ids.length > limit ? items.at(-1)!.id : null;
    return { items, next };
  }
}
