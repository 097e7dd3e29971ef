/**
 * `saylau node state-sync`: fills a replacement validator's empty store from a state snapshot
 * (PROTOCOL.md §16) served by other validators, instead of replaying every block. The
 * snapshot is fetched from the first source that serves a valid one, verified against the
 * election's manifest (certificate, state hash, log frontier, every chunk, and the credential
 * digest of the certified state), and only then written: into a staging directory next to
 * the data directory, which takes its place once complete. The validator then starts as
 * usual and follows the chain from the snapshot's height with block sync.
 *
 * Like `saylau node resync`, it leaves a signing fence (signing-fence.ts): the validator may
 * have signed at heights up to the highest one the sources report before it lost its store,
 * so it signs nothing up to there.
 */
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { Level } from "level";
import type { Logger } from "pino";
import { encodeCertificate } from "../consensus/certificate.ts";
import { fromHex } from "../crypto/bytes.ts";
import { isSaylauError, SaylauError } from "../errors.ts";
import { ledgerContext } from "../ledger/context.ts";
import type { SnapshotManifest, SnapshotRecord } from "../ledger/snapshot.ts";
import {
  type CredentialsDigestOf,
  SnapshotChunkVerifier,
  verifySnapshotManifest,
} from "../ledger/snapshot-verify.ts";
import { decodeCredentialRecord } from "../ledger/state.ts";
import { keys, readU64 } from "../ledger/store/keys.ts";
import { LedgerStore } from "../ledger/store/ledger-store.ts";
import { signingFenceRecord } from "./signing-fence.ts";
import { certifiedCredentialsDigest } from "./state-sync-digest.ts";

export function stateSyncStagingDir(dataDir: string): string {
  return `${dataDir}.statesync-new`;
}

export interface StateSyncOptions {
  readonly dataDir: string;
  readonly manifestBytes: Uint8Array;
  /** Base URLs of validators' HTTP APIs, tried in order. */
  readonly sources: readonly string[];
  /** Default: the certified state's credentialsDigest (state-sync-digest.ts). */
  readonly digestOf?: CredentialsDigestOf;
  readonly log?: Logger;
  /** Per request (default 60 s). */
  readonly timeoutMs?: number;
}

export interface StateSyncResult {
  readonly height: number;
  readonly records: number;
  readonly chunks: number;
  readonly source: string;
  /** Heights up to this one are not signed (signing-fence.ts). */
  readonly fence: number;
  readonly fetchMs: number;
  readonly writeMs: number;
}

interface Fetched {
  readonly manifest: SnapshotManifest;
  readonly records: SnapshotRecord[];
  readonly source: string;
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new SaylauError("snapshot/unreachable", `${url}: ${(err as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string } }
    | undefined;
  if (!response.ok) {
    const e = body?.error;
    throw new SaylauError(
      e?.code ?? "snapshot/unreachable",
      `${url}: ${response.status} ${e?.message ?? "no error body"}`,
    );
  }
  return body;
}

/** Fetches and verifies the snapshot `source` serves; nothing is written. */
async function fetchVerified(
  source: string,
  trust: Parameters<typeof verifySnapshotManifest>[1],
  digestOf: CredentialsDigestOf,
  timeoutMs: number,
): Promise<Fetched> {
  const base = source.replace(/\/+$/, "");
  const view = (await getJson(`${base}/v1/snapshot`, timeoutMs)) as { manifest: string };
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = fromHex(view.manifest);
  } catch {
    throw new SaylauError("snapshot/malformed", `${base} sent a manifest that is not hex`);
  }
  const manifest = verifySnapshotManifest(manifestBytes, trust);
  const verifier = new SnapshotChunkVerifier(
    manifest,
    digestOf(manifest.state),
    decodeCredentialRecord,
  );
  const records: SnapshotRecord[] = [];
  const fetchChunk = (i: number) =>
    getJson(`${base}/v1/snapshot/chunks/${i}?height=${manifest.height}`, timeoutMs);
  // The next chunk downloads while this one is verified (verification is CPU, fetching I/O).
  let next: Promise<unknown> | undefined = manifest.chunkCount > 0 ? fetchChunk(0) : undefined;
  for (let i = 0; i < manifest.chunkCount; i++) {
    const chunk = (await next) as { chunk: string };
    next = i + 1 < manifest.chunkCount ? fetchChunk(i + 1) : undefined;
    // A prefetch that fails while this chunk is checked is reported when it is awaited.
    next?.catch(() => undefined);
    let bytes: Uint8Array;
    try {
      bytes = fromHex(chunk.chunk);
    } catch {
      throw new SaylauError("snapshot/forged_chunk", `${base} sent chunk ${i} that is not hex`);
    }
    for (const r of verifier.addChunk(i, bytes)) records.push(r);
  }
  verifier.finish();
  return { manifest, records, source: base };
}

/** The highest head height any source reports (0 if none answers). */
async function highestReportedHeight(sources: readonly string[], timeoutMs: number) {
  const heights = await Promise.all(
    sources.map((s) =>
      getJson(`${s.replace(/\/+$/, "")}/v1/status`, timeoutMs).then(
        (v) => (v as { height: number }).height,
        () => 0,
      ),
    ),
  );
  return Math.max(0, ...heights);
}

/**
 * A data directory state sync may fill: absent, or holding no chain (what `saylau node
 * resync` leaves). Returns the signing fence it holds (0: none).
 */
async function emptyStoreFence(dataDir: string): Promise<number> {
  if (!existsSync(dataDir)) return 0;
  const db = new Level<Uint8Array, Uint8Array>(dataDir, {
    keyEncoding: "view",
    valueEncoding: "view",
  });
  try {
    await db.open();
  } catch (err) {
    throw new SaylauError(
      "store/in_use",
      `cannot open ${dataDir} (${(err as Error).message}); stop the validator, or run \`saylau node resync\` if it is damaged`,
    );
  }
  try {
    if ((await db.get(keys.head())) !== undefined) {
      throw new SaylauError(
        "store/not_empty",
        `${dataDir} already holds a chain; state sync fills an empty store (run \`saylau node resync\` first to set a damaged one aside)`,
      );
    }
    const fence = await db.get(keys.signingFence());
    return fence === undefined || fence.length !== 8 ? 0 : readU64(fence);
  } finally {
    await db.close();
  }
}

const RECORDS_PER_BATCH = 10_000;
const STALE_RETRIES = 3;

async function* batches(records: readonly SnapshotRecord[]) {
  for (let i = 0; i < records.length; i += RECORDS_PER_BATCH) {
    yield records.slice(i, i + RECORDS_PER_BATCH);
  }
}

export async function stateSync(options: StateSyncOptions): Promise<StateSyncResult> {
  const dataDir = resolve(options.dataDir);
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (options.sources.length === 0) {
    throw new SaylauError("cli/usage", "state sync needs at least one validator URL to fetch from");
  }
  const keptFence = await emptyStoreFence(dataDir);
  const ctx = ledgerContext(options.manifestBytes);
  const trust = {
    electionId: ctx.electionId,
    validators: ctx.manifest.validators.map((v) => v.publicKey),
  };
  const digestOf = options.digestOf ?? certifiedCredentialsDigest(ctx);
  const t0 = performance.now();
  const reported = await highestReportedHeight(options.sources, timeoutMs);
  let fetched: Fetched | undefined;
  const failures: string[] = [];
  let lastError: unknown;
  for (const source of options.sources) {
    // A source that moved on to a newer snapshot while we fetched (snapshot/stale) is asked
    // again, from its new manifest, a few times.
    for (let attempt = 1; fetched === undefined && attempt <= STALE_RETRIES; attempt++) {
      try {
        fetched = await fetchVerified(source, trust, digestOf, timeoutMs);
      } catch (err) {
        if (!isSaylauError(err)) throw err;
        lastError = err;
        options.log?.warn({ source, code: err.code, err: err.message }, "snapshot refused");
        if (err.code === "snapshot/stale" && attempt < STALE_RETRIES) continue;
        failures.push(`${source}: ${err.code} ${err.message}`);
        break;
      }
    }
    if (fetched !== undefined) break;
  }
  if (fetched === undefined) {
    if (options.sources.length === 1) throw lastError;
    throw new SaylauError(
      "snapshot/unavailable",
      `no source served a valid snapshot:\n${failures.join("\n")}`,
    );
  }
  const t1 = performance.now();
  const { manifest, records } = fetched;
  const fence = Math.max(keptFence, reported + 1, manifest.height + 1);
  const staging = stateSyncStagingDir(dataDir);
  await rm(staging, { recursive: true, force: true });
  const store = await LedgerStore.open(staging);
  try {
    await store.installSnapshot({
      manifest: options.manifestBytes,
      header: manifest.header,
      certificate: encodeCertificate(manifest.certificate),
      state: manifest.state,
      frontier: manifest.frontier,
      records: batches(records),
    });
    const { key, value } = signingFenceRecord(fence);
    await store.db.put(key, value, { sync: true } as never);
  } finally {
    await store.close();
  }
  // The old directory holds no chain (checked above), at most a fence, now carried over.
  await rm(dataDir, { recursive: true, force: true });
  await rename(staging, dataDir);
  const t2 = performance.now();
  options.log?.info(
    { height: manifest.height, records: records.length, source: fetched.source, fence },
    "state synced",
  );
  return {
    height: manifest.height,
    records: records.length,
    chunks: manifest.chunkCount,
    source: fetched.source,
    fence,
    fetchMs: t1 - t0,
    writeMs: t2 - t1,
  };
}
