/**
 * Writes an election record to a directory in the export format of docs/AUDIT.md. Export
 * copies bytes and does not verify them (an export of a bad record must stay auditable as
 * bad); it only refuses to write a record whose heights are not exactly 1, 2, ..., head, since
 * the format has no way to represent a hole, and refuses a non-empty target directory so it
 * never mixes two records.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RecordSourceError, SOURCE_CODES } from "./errors.ts";
import { CEREMONY_FILE, entryFileName, evidenceFileName, type RecordSource } from "./source.ts";

export interface ExportSummary {
  readonly dir: string;
  readonly blocks: number;
  readonly evidence: number;
  readonly bytes: number;
}

const README = `Saylau election record export.

manifest.cbor           the canonical election manifest; electionId = SHA-256("saylau/v1/manifest" || 0x00 || bytes)
blocks/NNNNNNNNNNNN.cbor        canonical block at that height (12 digits, zero-padded), heights 1..head
certificates/NNNNNNNNNNNN.cbor  canonical commit certificate of the block of the same height
evidence/<id>.cbor      canonical equivocation evidence the node held; <id> = 64 hex digits of
                        SHA-256("saylau/v1/evidence" || 0x00 || bytes); the folder may be empty
ceremony.cbor           the key ceremony's public transcript (its hash is the manifest's ceremony);
                        absent if the source did not have it
results.json            the source's own results view at export time; informational, NOT verified
README.txt              this file

Genesis (height 0) is not exported: it is derived from the manifest.
Verify with: saylau audit --dir <this directory>
Format: docs/AUDIT.md in the Saylau repository.
`;

export async function exportRecord(
  source: RecordSource,
  dir: string,
  options: { onBlock?: (height: number) => void } = {},
): Promise<ExportSummary> {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new RecordSourceError(
      SOURCE_CODES.exportDirNotEmpty,
      `${dir} is not empty; export into a new or empty directory`,
      { dir },
    );
  }
  // Read the manifest first: a source that cannot serve it fails before anything is written.
  const manifest = await source.manifest();
  mkdirSync(join(dir, "blocks"), { recursive: true });
  mkdirSync(join(dir, "certificates"), { recursive: true });
  mkdirSync(join(dir, "evidence"), { recursive: true });
  writeFileSync(join(dir, "manifest.cbor"), manifest);
  let bytes = manifest.length;
  const ceremony = await source.ceremony();
  if (ceremony !== null) {
    writeFileSync(join(dir, CEREMONY_FILE), ceremony);
    bytes += ceremony.length;
  }
  let expected = 1;
  for await (const entry of source.entries()) {
    if (entry.height !== expected) {
      throw new RecordSourceError(
        SOURCE_CODES.malformedResponse,
        `${source.description} served height ${entry.height} where ${expected} was due`,
        { height: entry.height, expected },
      );
    }
    if (entry.certificate === null) {
      throw new RecordSourceError(
        SOURCE_CODES.malformedResponse,
        `${source.description} has no certificate for block ${entry.height}`,
        { height: entry.height },
      );
    }
    const name = entryFileName(entry.height);
    writeFileSync(join(dir, "blocks", name), entry.block);
    writeFileSync(join(dir, "certificates", name), entry.certificate);
    bytes += entry.block.length + entry.certificate.length;
    options.onBlock?.(entry.height);
    expected++;
  }
  // Written under the id the source names it by, unchecked like everything else: the audit
  // finds a name that is not the id of the bytes.
  let evidence = 0;
  for await (const item of source.evidence()) {
    const path = join(dir, "evidence", evidenceFileName(item.id));
    if (existsSync(path)) {
      throw new RecordSourceError(
        SOURCE_CODES.malformedResponse,
        `${source.description} served evidence ${evidenceFileName(item.id)} twice`,
      );
    }
    writeFileSync(path, item.bytes);
    bytes += item.bytes.length;
    evidence++;
  }
  // Results last: for a live node they then describe a head at or past the last block written.
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(await source.results(), null, 2)}\n`);
  writeFileSync(join(dir, "README.txt"), README);
  return { dir, blocks: expected - 1, evidence, bytes };
}
