/**
 * Saylau's transaction log: one RFC 9162 Merkle tree (SHA-256) over every committed transaction.
 * Pure functions, no I/O. This module is the one import point; the code lives in:
 *   merkle-core.ts      hash rules, EMPTY_ROOT, reference MTH, node ids, exact integer helpers
 *   merkle-verify.ts    RFC 9162 inclusion and consistency verification (receipts, auditors)
 *   merkle-frontier.ts  the incremental log: append leaves, current root, completed nodes
 *   merkle-proofs.ts    proofs and past roots from persisted perfect-subtree nodes
 *
 * Node (level, index) is the perfect subtree over leaves [index * 2^level, (index+1) * 2^level).
 * Sizes and indices are numbers, valid up to 2^53 - 1.
 */
export {
  EMPTY_ROOT,
  leafHash,
  type MerkleNode,
  type NodeId,
  type NodeLookup,
  nodeHash,
  rootOfLeafHashes,
} from "./merkle-core.ts";
export {
  type AppendResult,
  appendLeaves,
  EMPTY_FRONTIER,
  type Frontier,
  frontierFromNodes,
  frontierNodeIds,
  frontierRoot,
} from "./merkle-frontier.ts";
export {
  buildConsistencyProof,
  buildInclusionProof,
  consistencyProofNodeIds,
  inclusionProofNodeIds,
  rootAtSize,
  rootAtSizeNodeIds,
} from "./merkle-proofs.ts";
export {
  assertConsistency,
  assertInclusion,
  consistencyProofLength,
  inclusionProofLength,
  type MerkleFailure,
  type VerifyResult,
  verifyConsistency,
  verifyInclusion,
} from "./merkle-verify.ts";
