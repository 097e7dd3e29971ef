/**
 * The five PBFT messages, their canonical CBOR codecs and size limits. Every message names
 * its election, height, view and sender and carries the sender's signature over a statement
 * (statements.ts); the codec rejects anything malformed before a byte of it is trusted.
 */
import {
  array,
  bytes,
  bytesUpTo,
  type Codec,
  fieldError,
  nullable,
  struct,
  tagged,
  uint,
} from "../codec/schema.ts";
import { SIGNATURE_LENGTH } from "../crypto/ed25519-rule.ts";
import { HASH_LENGTH } from "../crypto/hash.ts";

export const ELECTION_ID_LENGTH = 32;
/** Views above this are refused outright: no honest cluster gets near it (see CONSENSUS.md). */
export const MAX_VIEW = 2 ** 32 - 1;
export const MAX_HEIGHT = Number.MAX_SAFE_INTEGER;

/** One validator's signature, named by its index in the manifest's validator list. */
export interface ValidatorSignature {
  readonly validator: number;
  readonly sig: Uint8Array;
}

export interface PrePrepareMessage {
  readonly type: "pre-prepare";
  readonly electionId: Uint8Array;
  readonly height: number;
  readonly view: number;
  readonly sender: number;
  readonly payload: Uint8Array;
  readonly sig: Uint8Array;
}

export interface PrepareMessage {
  readonly type: "prepare";
  readonly electionId: Uint8Array;
  readonly height: number;
  readonly view: number;
  readonly sender: number;
  readonly blockHash: Uint8Array;
  readonly sig: Uint8Array;
}

export interface CommitMessage {
  readonly type: "commit";
  readonly electionId: Uint8Array;
  readonly height: number;
  readonly view: number;
  readonly sender: number;
  readonly blockHash: Uint8Array;
  readonly sig: Uint8Array;
}

/**
 * Proof that a block was prepared in `view`: q PREPARE signatures on it. The payload travels
 * with it inside a VIEW-CHANGE (so the next leader can always re-propose the block) and is
 * stripped (null) inside a NEW-VIEW, whose re-proposal carries it once.
 */
export interface PreparedCertificate {
  readonly view: number;
  readonly blockHash: Uint8Array;
  readonly payload: Uint8Array | null;
  readonly prepares: readonly ValidatorSignature[];
}

export interface ViewChangeMessage {
  readonly type: "view-change";
  readonly electionId: Uint8Array;
  readonly height: number;
  /** The view the sender wants to move to. */
  readonly view: number;
  readonly sender: number;
  readonly prepared: PreparedCertificate | null;
  readonly sig: Uint8Array;
}

export interface NewViewMessage {
  readonly type: "new-view";
  readonly electionId: Uint8Array;
  readonly height: number;
  readonly view: number;
  readonly sender: number;
  /** At least q VIEW-CHANGEs for this height and view from distinct validators. */
  readonly viewChanges: readonly ViewChangeMessage[];
  /** The new leader's proposal: forced to the highest prepared block in the proof, if any. */
  readonly prePrepare: PrePrepareMessage | null;
  readonly sig: Uint8Array;
}

export type ConsensusMessage =
  | PrePrepareMessage
  | PrepareMessage
  | CommitMessage
  | ViewChangeMessage
  | NewViewMessage;

export interface MessageLimits {
  readonly validatorCount: number;
  readonly maxPayloadBytes: number;
}

/** A text field that must be exactly `name` (a union's discriminator). */
export function literal<T extends string>(name: T): Codec<T> {
  return {
    kind: name,
    check(value, path) {
      if (value !== name) throw fieldError(path, `expected ${name}`);
      return name;
    },
  };
}

export interface MessageCodecs {
  readonly prepared: Codec<PreparedCertificate>;
  readonly message: Codec<ConsensusMessage>;
  readonly viewChange: Codec<ViewChangeMessage>;
  readonly prePrepare: Codec<PrePrepareMessage>;
  /** Upper bound on an encoded message; the decoder refuses anything longer unread. */
  readonly maxMessageBytes: number;
}

/** Codecs bounded by this cluster's size and payload limit. */
export function messageCodecs(limits: MessageLimits): MessageCodecs {
  const n = limits.validatorCount;
  const validatorIndex = uint(n - 1);
  const electionId = bytes(ELECTION_ID_LENGTH);
  const height = uint(MAX_HEIGHT);
  const view = uint(MAX_VIEW);
  const sig = bytes(SIGNATURE_LENGTH);
  const blockHash = bytes(HASH_LENGTH);
  const payload = bytesUpTo(limits.maxPayloadBytes);
  const typeIs = literal;
  const signature = struct({ validator: validatorIndex, sig });
  const prePrepare = struct({
    type: typeIs("pre-prepare"),
    electionId,
    height,
    view,
    sender: validatorIndex,
    payload,
    sig,
  });
  const vote = <T extends "prepare" | "commit">(name: T) =>
    struct({
      type: typeIs(name),
      electionId,
      height,
      view,
      sender: validatorIndex,
      blockHash,
      sig,
    });
  const prepared = struct({
    view,
    blockHash,
    payload: nullable(payload),
    prepares: array(signature, n, 1),
  });
  const viewChange = struct({
    type: typeIs("view-change"),
    electionId,
    height,
    view,
    sender: validatorIndex,
    prepared: nullable(prepared),
    sig,
  });
  const newView = struct({
    type: typeIs("new-view"),
    electionId,
    height,
    view,
    sender: validatorIndex,
    viewChanges: array(viewChange, n, 1),
    prePrepare: nullable(prePrepare),
    sig,
  });
  const message = tagged("type", {
    "pre-prepare": prePrepare,
    prepare: vote("prepare"),
    commit: vote("commit"),
    "view-change": viewChange,
    "new-view": newView,
  }) as Codec<ConsensusMessage>;
  // Largest message: a NEW-VIEW with one payload and N view-changes each holding N prepares.
  const perSignature = SIGNATURE_LENGTH + 16;
  const perViewChange = 160 + HASH_LENGTH + n * perSignature;
  const maxMessageBytes = limits.maxPayloadBytes + 512 + n * perViewChange;
  return {
    message,
    prepared: prepared as Codec<PreparedCertificate>,
    viewChange: viewChange as Codec<ViewChangeMessage>,
    prePrepare: prePrepare as Codec<PrePrepareMessage>,
    maxMessageBytes,
  };
}
