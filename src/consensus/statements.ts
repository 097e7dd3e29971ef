/**
 * What each message's signature covers. A signature is over a tagged hash of a canonical
 * statement that binds the election id, so nothing signed for one election, phase or purpose
 * verifies as another.
 *
 * COMMIT signs exactly the commit-certificate statement
 *   taggedHash("saylau/v1/commit", canonical {electionId, height, view, blockHash})
 * so the COMMITs a replica collects are, as they are, the block's certificate.
 * Every other message signs
 *   taggedHash("saylau/v1/consensus", canonical {electionId, type, height, view, blockHash, preparedView})
 * where blockHash is the proposal (PRE-PREPARE, PREPARE), the highest prepared block
 * (VIEW-CHANGE) or the re-proposal (NEW-VIEW), null when there is none, and preparedView the
 * view of that prepared certificate (VIEW-CHANGE only, null otherwise). A PRE-PREPARE signs
 * the hash rather than the payload, so evidence of an equivocating leader stays small.
 */
import { bytes, encodeWith, nullable, oneOf, struct, uint } from "../codec/schema.ts";
import { HASH_LENGTH, TAG, taggedHash } from "../crypto/hash.ts";
import { ELECTION_ID_LENGTH } from "./messages.ts";

export type StatementType = "pre-prepare" | "prepare" | "view-change" | "new-view";

const CommitStatement = struct({
  electionId: bytes(ELECTION_ID_LENGTH),
  height: uint(),
  view: uint(),
  blockHash: bytes(HASH_LENGTH),
});

const ConsensusStatement = struct({
  electionId: bytes(ELECTION_ID_LENGTH),
  type: oneOf(["pre-prepare", "prepare", "view-change", "new-view"] as const),
  height: uint(),
  view: uint(),
  blockHash: nullable(bytes(HASH_LENGTH)),
  preparedView: nullable(uint()),
});

/** The 32 bytes a COMMIT (= certificate) signature signs. */
export function commitStatement(
  electionId: Uint8Array,
  height: number,
  view: number,
  blockHash: Uint8Array,
): Uint8Array {
  return taggedHash(
    TAG.commit,
    encodeWith(CommitStatement, { electionId, height, view, blockHash }),
  );
}

/** The 32 bytes every other consensus signature signs. */
export function consensusStatement(
  electionId: Uint8Array,
  type: StatementType,
  height: number,
  view: number,
  blockHash: Uint8Array | null,
  preparedView: number | null,
): Uint8Array {
  return taggedHash(
    TAG.consensus,
    encodeWith(ConsensusStatement, { electionId, type, height, view, blockHash, preparedView }),
  );
}
