/**
 * Where an audit reads an election's record from. A record is the manifest plus, for every
 * height 1..head, the canonical block bytes and the canonical commit certificate bytes;
 * genesis is derived from the manifest and is never part of a record. A record also holds
 * the equivocation evidence the source knows of, each item named by its id. A source only
 * transports bytes: it checks that what it read is well-formed transport (JSON shape, hex,
 * file names), never that the bytes verify; that is the auditor's job, done the same way
 * for every source.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { MAX_VALIDATORS } from "../consensus/certificate.ts";
import { evidenceId, MAX_EVIDENCE_PER_VALIDATOR } from "../consensus/evidence.ts";
import { fromHex, toHex } from "../crypto/bytes.ts";
import { RecordSourceError, SOURCE_CODES } from "./errors.ts";

export interface RecordEntry {
  readonly height: number;
  /** Canonical block bytes, as the source holds them. */
  readonly block: Uint8Array;
  /** Canonical commit certificate bytes; null when the source has none for this height. */
  readonly certificate: Uint8Array | null;
}

/** One item of equivocation evidence, as a source holds it. */
export interface EvidenceEntry {
  /** The id the source names it by (its file name, the API's `id`); the auditor checks it. */
  readonly id: Uint8Array;
  /** Canonical evidence bytes (docs/CONSENSUS.md). */
  readonly bytes: Uint8Array;
}

/** The head a source reports: the last height it holds and the log size there. */
export interface SourceHead {
  readonly height: number;
  /** Log size at that height, when the source states it (a node does; a directory does not). */
  readonly logSize: number | null;
}

export interface ConsistencyAnswer {
  readonly fromRoot: Uint8Array;
  readonly toRoot: Uint8Array;
  readonly proof: Uint8Array[];
}

export interface RecordSource {
  /** For messages: the URL or the directory. */
  readonly description: string;
  manifest(): Promise<Uint8Array>;
  head(): Promise<SourceHead>;
  /** Entries in the order the source holds them, from height 1 on. */
  entries(): AsyncIterable<RecordEntry>;
  /** The equivocation evidence the source holds, in any order. */
  evidence(): AsyncIterable<EvidenceEntry>;
  /** Informational results (GET /v1/results), copied into an export as is. */
  results(): Promise<unknown>;
  /**
   * The key ceremony's public transcript (the manifest names its hash), or null when the
   * source does not have it; the auditor verifies it.
   */
  ceremony(): Promise<Uint8Array | null>;
  /**
   * RFC 9162 consistency proof between two log sizes, from a live node. Absent for a
   * directory: an export is one fixed snapshot with no second head to compare.
   */
  consistency?(fromSize: number, toSize: number): Promise<ConsistencyAnswer>;
}

// ---------------------------------------------------------------------------------------
// A validator's HTTP API.

const PAGE = 100;
/** No honest validator holds more evidence than this (MAX_EVIDENCE_PER_VALIDATOR per validator). */
const MAX_EVIDENCE_ITEMS = MAX_VALIDATORS * MAX_EVIDENCE_PER_VALIDATOR;
const REQUEST_TIMEOUT_MS = 30_000;

function malformed(url: string, what: string): RecordSourceError {
  return new RecordSourceError(
    SOURCE_CODES.malformedResponse,
    `${url}: malformed response (${what})`,
    { url },
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isHeight(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function hexField(url: string, obj: Record<string, unknown>, field: string, len?: number) {
  try {
    return fromHex(obj[field] as string, len);
  } catch {
    throw malformed(url, `${field} is not ${len === undefined ? "" : `${len}-byte `}hex`);
  }
}

export class NodeSource implements RecordSource {
  readonly description: string;
  readonly #base: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, options: { timeoutMs?: number } = {}) {
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw new RecordSourceError(SOURCE_CODES.unreachable, `not a URL: ${baseUrl}`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new RecordSourceError(SOURCE_CODES.unreachable, `not an http(s) URL: ${baseUrl}`);
    }
    this.#base = baseUrl.replace(/\/+$/, "");
    this.description = this.#base;
    this.#timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  async #get(path: string): Promise<unknown> {
    const url = `${this.#base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        signal: AbortSignal.timeout(this.#timeoutMs),
        headers: { accept: "application/json" },
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new RecordSourceError(SOURCE_CODES.unreachable, `cannot reach ${url}: ${cause}`, {
        url,
      });
    }
    const text = await res.text().catch(() => "");
    if (res.status !== 200) {
      // The API answers errors as {error: {code, message}}; show it when it is there.
      let detail = text.slice(0, 200);
      try {
        const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (body.error?.code !== undefined) detail = `${body.error.code}: ${body.error.message}`;
      } catch {}
      throw new RecordSourceError(
        SOURCE_CODES.httpStatus,
        `${url} answered HTTP ${res.status}${detail ? ` (${detail})` : ""}`,
        { url, status: res.status },
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw malformed(url, "not JSON");
    }
  }

  async manifest(): Promise<Uint8Array> {
    const body = await this.#get("/v1/election");
    if (!isObject(body)) throw malformed(`${this.#base}/v1/election`, "not an object");
    return hexField(`${this.#base}/v1/election`, body, "manifest");
  }

  async head(): Promise<SourceHead> {
    const url = `${this.#base}/v1/status`;
    const body = await this.#get("/v1/status");
    if (!isObject(body) || !isHeight(body.height) || !isHeight(body.logSize)) {
      throw malformed(url, "expected height and logSize");
    }
    return { height: body.height, logSize: body.logSize };
  }

  async results(): Promise<unknown> {
    return this.#get("/v1/results");
  }

  async ceremony(): Promise<Uint8Array | null> {
    let body: unknown;
    try {
      body = await this.#get("/v1/ceremony");
    } catch (err) {
      // A validator that was not given the transcript answers 404: the source has none.
      if (err instanceof RecordSourceError && err.details?.status === 404) return null;
      throw err;
    }
    if (!isObject(body)) throw malformed(`${this.#base}/v1/ceremony`, "not an object");
    return hexField(`${this.#base}/v1/ceremony`, body, "transcript");
  }

  async consistency(fromSize: number, toSize: number): Promise<ConsistencyAnswer> {
    const path = `/v1/proofs/consistency?from=${fromSize}&to=${toSize}`;
    const url = `${this.#base}${path}`;
    const body = await this.#get(path);
    if (!isObject(body) || !Array.isArray(body.proof)) throw malformed(url, "expected a proof");
    const proof = body.proof.map((p, i) => {
      try {
        return fromHex(p as string, 32);
      } catch {
        throw malformed(url, `proof[${i}] is not 32-byte hex`);
      }
    });
    return {
      fromRoot: hexField(url, body, "fromRoot", 32),
      toRoot: hexField(url, body, "toRoot", 32),
      proof,
    };
  }

  async *evidence(): AsyncGenerator<EvidenceEntry> {
    let after: string | null = null;
    let items = 0;
    for (;;) {
      const path = `/v1/evidence?limit=${PAGE}${after === null ? "" : `&after=${after}`}`;
      const url = `${this.#base}${path}`;
      const body = await this.#get(path);
      if (!isObject(body) || !Array.isArray(body.evidence)) {
        throw malformed(url, "expected evidence");
      }
      for (const item of body.evidence) {
        if (!isObject(item)) throw malformed(url, "an evidence item is not an object");
        yield { id: hexField(url, item, "id", 32), bytes: hexField(url, item, "evidence") };
      }
      items += body.evidence.length;
      if (items > MAX_EVIDENCE_ITEMS) {
        throw malformed(url, `more than ${MAX_EVIDENCE_ITEMS} evidence items`);
      }
      const next = body.next;
      if (next === null) return;
      // Ids ascend, so `next` must too, or a faulty node could keep the auditor paging forever.
      if (
        typeof next !== "string" ||
        !/^[0-9a-f]{64}$/.test(next) ||
        (after !== null && next <= after)
      ) {
        throw malformed(url, `next ${String(next)} after ${after}`);
      }
      if (body.evidence.length === 0) throw malformed(url, "an empty page that is not the last");
      after = next;
    }
  }

  async *entries(): AsyncGenerator<RecordEntry> {
    let from: number | null = 1;
    while (from !== null) {
      const path = `/v1/blocks?from=${from}&limit=${PAGE}`;
      const url = `${this.#base}${path}`;
      const body = await this.#get(path);
      if (!isObject(body) || !Array.isArray(body.blocks)) throw malformed(url, "expected blocks");
      for (const view of body.blocks) {
        if (!isObject(view) || !isHeight(view.height))
          throw malformed(url, "a block has no height");
        const certificate = view.certificate === null ? null : hexField(url, view, "certificate");
        yield { height: view.height, block: hexField(url, view, "block"), certificate };
      }
      const next = body.next;
      if (next === null) break;
      // `next` must move forward, or a faulty node could keep the auditor paging forever.
      if (!isHeight(next) || next <= from)
        throw malformed(url, `next ${String(next)} after ${from}`);
      if (body.blocks.length === 0) throw malformed(url, "an empty page that is not the last");
      from = next;
    }
  }
}

// ---------------------------------------------------------------------------------------
// An export directory (docs/AUDIT.md).

export const HEIGHT_DIGITS = 12;
const ENTRY_NAME = /^(\d{12})\.cbor$/;
const EVIDENCE_NAME = /^([0-9a-f]{64})\.cbor$/;
export const EXPORT_FILES = [
  "manifest.cbor",
  "blocks",
  "certificates",
  "evidence",
  "results.json",
  "README.txt",
];
/** Present when the source had the key ceremony's transcript. */
export const CEREMONY_FILE = "ceremony.cbor";

export function entryFileName(height: number): string {
  return `${String(height).padStart(HEIGHT_DIGITS, "0")}.cbor`;
}

function badExport(dir: string, message: string): RecordSourceError {
  return new RecordSourceError(SOURCE_CODES.badExport, `${dir}: ${message}`, { dir });
}

export function evidenceFileName(id: Uint8Array): string {
  return `${toHex(id)}.cbor`;
}

/**
 * Reads an export. The file set is checked up front: exactly the six top-level names,
 * only `<12 digits>.cbor` files under blocks/ and certificates/, heights from 1, the
 * same heights in both, and only `<64 hex digits>.cbor` files under evidence/. A height missing from both folders is not a file-set error but a
 * gap in the record, which the auditor reports with its height, like any other source's.
 */
export class DirectorySource implements RecordSource {
  readonly description: string;
  readonly #dir: string;
  readonly #heights: number[];
  readonly #evidence: string[];
  readonly #hasCeremony: boolean;

  constructor(dir: string) {
    this.#dir = dir;
    this.description = dir;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw badExport(dir, "no such directory");
    const top = readdirSync(dir).sort();
    for (const name of top) {
      if (!EXPORT_FILES.includes(name) && name !== CEREMONY_FILE) {
        throw badExport(dir, `unexpected file ${name}`);
      }
    }
    this.#hasCeremony = top.includes(CEREMONY_FILE);
    for (const name of EXPORT_FILES) {
      if (!top.includes(name)) throw badExport(dir, `missing ${name}`);
    }
    const blocks = this.#folder("blocks");
    const certificates = this.#folder("certificates");
    for (const h of blocks) {
      if (!certificates.has(h)) throw badExport(dir, `block ${h} has no certificate file`);
    }
    for (const h of certificates) {
      if (!blocks.has(h)) throw badExport(dir, `certificate ${h} has no block file`);
    }
    this.#heights = [...blocks].sort((a, b) => a - b);
    this.#evidence = this.#files("evidence", EVIDENCE_NAME);
  }

  /** The names of the files in folder `name`, each checked against `pattern`. */
  #files(name: string, pattern: RegExp): string[] {
    const path = join(this.#dir, name);
    if (!statSync(path).isDirectory()) throw badExport(this.#dir, `${name} is not a directory`);
    const files = readdirSync(path).sort();
    for (const file of files) {
      if (!pattern.test(file)) throw badExport(this.#dir, `misnamed file ${name}/${file}`);
      if (!statSync(join(path, file)).isFile()) {
        throw badExport(this.#dir, `${name}/${file} is not a file`);
      }
    }
    return files;
  }

  #folder(name: string): Set<number> {
    const heights = new Set<number>();
    for (const file of this.#files(name, ENTRY_NAME)) {
      const height = Number(ENTRY_NAME.exec(file)![1]);
      if (height < 1) throw badExport(this.#dir, `${name}/${file}: heights start at 1`);
      heights.add(height);
    }
    return heights;
  }

  #read(path: string): Uint8Array {
    try {
      return new Uint8Array(readFileSync(join(this.#dir, path)));
    } catch (err) {
      throw badExport(this.#dir, `cannot read ${path}: ${(err as Error).message}`);
    }
  }

  async manifest(): Promise<Uint8Array> {
    return this.#read("manifest.cbor");
  }

  async head(): Promise<SourceHead> {
    return { height: this.#heights.at(-1) ?? 0, logSize: null };
  }

  async results(): Promise<unknown> {
    try {
      return JSON.parse(new TextDecoder().decode(this.#read("results.json"))) as unknown;
    } catch (err) {
      if (err instanceof RecordSourceError) throw err;
      throw badExport(this.#dir, "results.json is not JSON");
    }
  }

  async ceremony(): Promise<Uint8Array | null> {
    return this.#hasCeremony ? this.#read(CEREMONY_FILE) : null;
  }

  async *evidence(): AsyncGenerator<EvidenceEntry> {
    for (const file of this.#evidence) {
      const id = fromHex(EVIDENCE_NAME.exec(file)![1]!, 32);
      yield { id, bytes: this.#read(join("evidence", file)) };
    }
  }

  async *entries(): AsyncGenerator<RecordEntry> {
    for (const height of this.#heights) {
      const name = entryFileName(height);
      yield {
        height,
        block: this.#read(join("blocks", name)),
        certificate: this.#read(join("certificates", name)),
      };
    }
  }
}

/** A record held in memory (tests, the benchmark, or an auditor embedding Saylau). */
export class MemorySource implements RecordSource {
  readonly description = "memory";
  readonly #manifest: Uint8Array;
  readonly #entries: readonly RecordEntry[];
  readonly #results: unknown;
  readonly #evidence: readonly Uint8Array[];
  readonly #ceremony: Uint8Array | null;

  constructor(
    manifest: Uint8Array,
    entries: readonly RecordEntry[],
    results: unknown = null,
    evidence: readonly Uint8Array[] = [],
    ceremony: Uint8Array | null = null,
  ) {
    this.#manifest = manifest;
    this.#entries = entries;
    this.#results = results;
    this.#evidence = evidence;
    this.#ceremony = ceremony;
  }

  async ceremony(): Promise<Uint8Array | null> {
    return this.#ceremony;
  }

  async *evidence(): AsyncGenerator<EvidenceEntry> {
    for (const bytes of this.#evidence) yield { id: evidenceId(bytes), bytes };
  }

  async manifest(): Promise<Uint8Array> {
    return this.#manifest;
  }

  async head(): Promise<SourceHead> {
    return { height: this.#entries.at(-1)?.height ?? 0, logSize: null };
  }

  async results(): Promise<unknown> {
    return this.#results;
  }

  async *entries(): AsyncGenerator<RecordEntry> {
    yield* this.#entries;
  }
}
