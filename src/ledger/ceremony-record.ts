/**
 * The key ceremony's transcript against the manifest: the transcript must verify
 * (ELECTION-CRYPTO.md, every signature, proof and verdict), its hash must be the manifest's
 * `ceremony`, and it must yield exactly the manifest's trustees (commitments and proofs,
 * threshold, ceremony id, joint key) and their signing keys (`trusteeKeys`). The validator
 * checks it at start and the auditor on the record.
 */
import { encodeWith } from "../codec/schema.ts";
import { bytesEqual } from "../crypto/bytes.ts";
import { transcriptHash, verifyCeremonyTranscript } from "../election/ceremony-transcript.ts";
import { electionDescriptionCodec } from "../election/description.ts";
import { SaylauError } from "../errors.ts";
import type { Manifest } from "./manifest.ts";

export interface CeremonyRecord {
  readonly trustees: number;
  readonly threshold: number;
  readonly hash: Uint8Array;
}

export function checkTranscriptAgainstManifest(
  manifest: Manifest,
  transcript: Uint8Array,
): CeremonyRecord {
  if (!bytesEqual(transcriptHash(transcript), manifest.ceremony)) {
    throw new SaylauError(
      "ceremony/not_this_election",
      "the transcript's hash is not the manifest's ceremony",
    );
  }
  const verified = verifyCeremonyTranscript(transcript);
  const description = verified.description(manifest.election.contests);
  const same =
    bytesEqual(
      encodeWith(electionDescriptionCodec, description),
      encodeWith(electionDescriptionCodec, manifest.election),
    ) &&
    verified.signingKeys.length === manifest.trusteeKeys.length &&
    verified.signingKeys.every((k, i) => bytesEqual(k, manifest.trusteeKeys[i]!));
  if (!same) {
    throw new SaylauError(
      "ceremony/not_this_election",
      "the transcript's trustees, keys or parameters are not the manifest's",
    );
  }
  return {
    trustees: verified.parameters.trusteeCount,
    threshold: verified.parameters.threshold,
    hash: verified.hash,
  };
}
