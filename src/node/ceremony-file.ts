/**
 * The key ceremony's public transcript a validator is given beside the manifest: checked at
 * start (its hash must be the manifest's `ceremony`, and it must verify and yield exactly
 * the manifest's trustees and keys), then served as is, so an export carries it to auditors.
 */
import { readFileSync } from "node:fs";
import { SaylauError } from "../errors.ts";
import { checkTranscriptAgainstManifest } from "../ledger/ceremony-record.ts";
import type { Manifest } from "../ledger/manifest.ts";

export function readCeremonyTranscript(file: string | null, manifest: Manifest): Uint8Array | null {
  if (file === null) return null;
  const bytes = new Uint8Array(readFileSync(file));
  try {
    checkTranscriptAgainstManifest(manifest, bytes);
  } catch (err) {
    const e = err as SaylauError;
    throw new SaylauError(
      "node/ceremony_mismatch",
      `${file} is not this election's ceremony transcript: ${e.message}`,
      { cause: e.code },
    );
  }
  return bytes;
}
