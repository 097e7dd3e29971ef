/**
 * Everything a replica knows about the one height it is working on. Thrown away as a whole
 * when the height is decided, which is what bounds the engine's memory.
 */
import { toHex } from "../crypto/bytes.ts";
import type { SignedHash } from "./evidence.ts";
import type {
  NewViewMessage,
  PrePrepareMessage,
  PreparedCertificate,
  ValidatorSignature,
  ViewChangeMessage,
} from "./messages.ts";

export interface Proposal {
  readonly blockHash: Uint8Array;
  readonly hex: string;
  readonly payload: Uint8Array;
  readonly message: PrePrepareMessage;
}

/** Votes are tallied per block hash (hex), then per validator. */
export type Tally = Map<string, Map<number, Uint8Array>>;

export class ViewRound {
  /** View 0 is entered at once; later views only through a verified NEW-VIEW. */
  entered: boolean;
  /** Block the NEW-VIEW proof forces this view to decide on, if any. */
  fixedHash: Uint8Array | null = null;
  proposal: Proposal | null = null;
  newView: NewViewMessage | null = null;
  readonly prepares: Tally = new Map();
  readonly commits: Tally = new Map();

  constructor(entered: boolean) {
    this.entered = entered;
  }
}

export type Validity = "pending" | "valid" | "invalid";

export class HeightState {
  readonly rounds = new Map<number, ViewRound>();
  /** Payloads seen at this height, by hash: commits may complete before the payload arrives. */
  readonly payloads = new Map<string, Uint8Array>();
  readonly validity = new Map<string, Validity>();
  /** Blocks the predicate was asked about as re-proposals (at most once each). */
  readonly askedAsReproposal = new Set<string>();
  /** Highest prepared certificate this replica holds (payload included). */
  prepared: PreparedCertificate | null = null;
  /** Verified VIEW-CHANGEs by target view, then sender. */
  readonly viewChanges = new Map<number, Map<number, ViewChangeMessage>>();
  /** Highest view each validator asked to move to. */
  readonly highestViewChange = new Map<number, number>();
  /** First signed statement per (sender, view, phase): duplicates and equivocation. */
  readonly firstSigned = new Map<string, SignedHash>();
  /** Whether work is under way at this height (arms the view timer). */
  active = false;
  /** (sender, view) pairs whose second, differing VIEW-CHANGE has been checked. */
  readonly viewChangeConflictChecked = new Set<string>();
  /** Validators whose verified messages for this height this replica has received. */
  readonly heardFrom = new Set<number>();

  round(view: number): ViewRound {
    let r = this.rounds.get(view);
    if (r === undefined) {
      r = new ViewRound(view === 0);
      this.rounds.set(view, r);
    }
    return r;
  }
}

export function addVote(
  tally: Tally,
  blockHash: Uint8Array,
  validator: number,
  sig: Uint8Array,
): number {
  const hex = toHex(blockHash);
  let votes = tally.get(hex);
  if (votes === undefined) {
    votes = new Map();
    tally.set(hex, votes);
  }
  votes.set(validator, sig);
  return votes.size;
}

/** Signatures sorted by validator index: the certificate order. */
export function sortedSignatures(votes: Map<number, Uint8Array>): ValidatorSignature[] {
  return [...votes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([validator, sig]) => ({ validator, sig }));
}

export function signedKey(sender: number, view: number, phase: string): string {
  return `${sender}/${view}/${phase}`;
}
