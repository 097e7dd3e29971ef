/**
 * Validator configuration: a JSON file, then environment variables over it, checked before
 * anything starts so a mistake is one clear error, not a crash later.
 *
 * Environment: SAYLAU_DATA_DIR, SAYLAU_MANIFEST, SAYLAU_KEY_FILE, SAYLAU_P2P_LISTEN,
 * SAYLAU_HTTP_HOST, SAYLAU_HTTP_PORT, SAYLAU_PEERS (comma-separated index=multiaddr),
 * SAYLAU_LOG_LEVEL, SAYLAU_VERIFY_WORKERS.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { SaylauError } from "../errors.ts";

export interface NodeConfig {
  readonly dataDir: string;
  readonly manifestFile: string;
  /**
   * The key ceremony's public transcript, whose hash the manifest names (optional). Given,
   * the validator checks it against the manifest at start and serves it (GET /v1/ceremony)
   * so an export carries it to the auditor.
   */
  readonly ceremonyFile: string | null;
  readonly keyFile: string;
  readonly p2pListen: string;
  readonly httpHost: string;
  readonly httpPort: number;
  /** How to reach each other validator: manifest index -> multiaddr (without /p2p/). */
  readonly peers: readonly { readonly index: number; readonly address: string }[];
  readonly logLevel: string;
  readonly verifyWorkers: number;
  readonly mempoolMaxTxs: number;
  readonly mempoolMaxBytes: number;
  readonly blockMaxTxs: number;
  readonly consensusTimeoutMs: number;
  /**
   * A fresh proposal whose block time differs from this node's clock by more than this, in
   * either direction, is refused (docs/CONSENSUS.md, "Block time and the validators' clocks").
   */
  readonly maxClockSkewMs: number;
  /**
   * fsync consensus WAL records before sending the messages they record (group commit). Off
   * is unsafe: after a power loss the validator may forget what it signed and contradict it.
   */
  readonly walSync: boolean;
  /**
   * fsync each pending transaction before answering 202 (group commit). Off is unsafe: a
   * power loss may lose transactions the node already accepted.
   */
  readonly mempoolSync: boolean;
  /**
   * Each client address's work budget, in units a minute (0: no limit): a request costs one
   * unit, a batch one per transaction. Refused with 429 api/rate_limited beyond it.
   */
  readonly rateLimitPerMinute: number;
  /** Units a client may spend at once, from a budget saved up while idle. */
  readonly rateLimitBurst: number;
  /**
   * 503 node/overloaded to submissions while the verification backlog (about how long a
   * transaction submitted now would wait for a worker) is over this, in ms (0: never).
   */
  readonly overloadVerifyWaitMs: number;
  /**
   * 503 node/overloaded to submissions while the event loop was busy at least this share
   * (percent) of the last half second (0: never).
   */
  readonly overloadEventLoopPercent: number;
  /**
   * After this long without a committed block, pending transactions are forwarded to the
   * other validators again (each at most once per this interval).
   */
  readonly reforwardAfterMs: number;
}

/** Every environment variable a validator reads. */
export const CONFIG_ENV = [
  "SAYLAU_DATA_DIR",
  "SAYLAU_MANIFEST",
  "SAYLAU_KEY_FILE",
  "SAYLAU_P2P_LISTEN",
  "SAYLAU_HTTP_HOST",
  "SAYLAU_HTTP_PORT",
  "SAYLAU_PEERS",
  "SAYLAU_LOG_LEVEL",
  "SAYLAU_VERIFY_WORKERS",
] as const;

const DEFAULTS = {
  httpHost: "127.0.0.1",
  logLevel: "info",
  verifyWorkers: 1,
  mempoolMaxTxs: 50_000,
  mempoolMaxBytes: 256 * 1024 * 1024,
  blockMaxTxs: 2000,
  consensusTimeoutMs: 2000,
  maxClockSkewMs: 5000,
  walSync: true,
  mempoolSync: true,
  rateLimitPerMinute: 6_000,
  rateLimitBurst: 1_000,
  overloadVerifyWaitMs: 2_000,
  overloadEventLoopPercent: 98,
  reforwardAfterMs: 10_000,
};

function bad(message: string, details: Record<string, unknown> = {}): SaylauError {
  return new SaylauError("config/invalid", message, details);
}

const KEYS = new Set([
  "dataDir",
  "manifestFile",
  "ceremonyFile",
  "keyFile",
  "p2pListen",
  "httpHost",
  "httpPort",
  "peers",
  "logLevel",
  "verifyWorkers",
  "mempoolMaxTxs",
  "mempoolMaxBytes",
  "blockMaxTxs",
  "consensusTimeoutMs",
  "maxClockSkewMs",
  "reforwardAfterMs",
  "walSync",
  "mempoolSync",
  "rateLimitPerMinute",
  "rateLimitBurst",
  "overloadVerifyWaitMs",
  "overloadEventLoopPercent",
]);

function int(value: unknown, name: string, min: number, max: number): number {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw bad(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, {
      field: name,
    });
  }
  return n;
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== "boolean")
    throw bad(`${name} must be true or false, got ${JSON.stringify(value)}`, { field: name });
  return value;
}

function str(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0)
    throw bad(`${name} is required`, { field: name });
  return value;
}

function parsePeers(value: unknown): { index: number; address: string }[] {
  if (typeof value === "string") {
    return value
      .split(",")
      .filter((p) => p.trim() !== "")
      .map((p) => {
        const [i, a] = p.split("=");
        return {
          index: int(i?.trim(), "peers index", 0, 63),
          address: str(a?.trim(), "peers address"),
        };
      });
  }
  if (!Array.isArray(value))
    throw bad("peers must be a list of {index, address}", { field: "peers" });
  return value.map((p, i) => {
    if (typeof p !== "object" || p === null) throw bad(`peers[${i}] must be {index, address}`);
    const { index, address } = p as { index: unknown; address: unknown };
    return {
      index: int(index, `peers[${i}].index`, 0, 63),
      address: str(address, `peers[${i}].address`),
    };
  });
}

/** Read `file` (if given), apply `env` over it, validate. Relative paths are from the file. */
export function loadConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): NodeConfig {
  let raw: Record<string, unknown> = {};
  let base = process.cwd();
  if (file !== undefined) {
    if (!existsSync(file))
      throw new SaylauError("config/missing_file", `config file ${file} does not exist`);
    try {
      raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw bad(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw))
      throw bad("config must be a JSON object");
    for (const k of Object.keys(raw))
      if (!KEYS.has(k)) throw bad(`unknown config field "${k}"`, { field: k });
    base = dirname(resolve(file));
  }
  const pick = (key: string, envName: string): unknown => env[envName] ?? raw[key];
  const path = (key: string, envName: string): string => {
    const p = str(pick(key, envName), key);
    return isAbsolute(p) ? p : resolve(base, p);
  };
  const config: NodeConfig = {
    dataDir: path("dataDir", "SAYLAU_DATA_DIR"),
    manifestFile: path("manifestFile", "SAYLAU_MANIFEST"),
    ceremonyFile:
      pick("ceremonyFile", "SAYLAU_CEREMONY") === undefined
        ? null
        : path("ceremonyFile", "SAYLAU_CEREMONY"),
    keyFile: path("keyFile", "SAYLAU_KEY_FILE"),
    p2pListen: str(pick("p2pListen", "SAYLAU_P2P_LISTEN"), "p2pListen"),
    httpHost: (pick("httpHost", "SAYLAU_HTTP_HOST") as string | undefined) ?? DEFAULTS.httpHost,
    httpPort: int(pick("httpPort", "SAYLAU_HTTP_PORT"), "httpPort", 0, 65535),
    peers: parsePeers(pick("peers", "SAYLAU_PEERS") ?? []),
    logLevel: (pick("logLevel", "SAYLAU_LOG_LEVEL") as string | undefined) ?? DEFAULTS.logLevel,
    verifyWorkers: int(
      pick("verifyWorkers", "SAYLAU_VERIFY_WORKERS") ?? DEFAULTS.verifyWorkers,
      "verifyWorkers",
      1,
      64,
    ),
    mempoolMaxTxs: int(raw.mempoolMaxTxs ?? DEFAULTS.mempoolMaxTxs, "mempoolMaxTxs", 1, 10_000_000),
    mempoolMaxBytes: int(
      raw.mempoolMaxBytes ?? DEFAULTS.mempoolMaxBytes,
      "mempoolMaxBytes",
      1024,
      2 ** 40,
    ),
    blockMaxTxs: int(raw.blockMaxTxs ?? DEFAULTS.blockMaxTxs, "blockMaxTxs", 1, 4096),
    consensusTimeoutMs: int(
      raw.consensusTimeoutMs ?? DEFAULTS.consensusTimeoutMs,
      "consensusTimeoutMs",
      10,
      600_000,
    ),
    maxClockSkewMs: int(
      raw.maxClockSkewMs ?? DEFAULTS.maxClockSkewMs,
      "maxClockSkewMs",
      100,
      3_600_000,
    ),
    walSync: bool(raw.walSync ?? DEFAULTS.walSync, "walSync"),
    mempoolSync: bool(raw.mempoolSync ?? DEFAULTS.mempoolSync, "mempoolSync"),
    rateLimitPerMinute: int(
      raw.rateLimitPerMinute ?? DEFAULTS.rateLimitPerMinute,
      "rateLimitPerMinute",
      0,
      10_000_000,
    ),
    rateLimitBurst: int(
      raw.rateLimitBurst ?? DEFAULTS.rateLimitBurst,
      "rateLimitBurst",
      1,
      10_000_000,
    ),
    overloadVerifyWaitMs: int(
      raw.overloadVerifyWaitMs ?? DEFAULTS.overloadVerifyWaitMs,
      "overloadVerifyWaitMs",
      0,
      600_000,
    ),
    overloadEventLoopPercent: int(
      raw.overloadEventLoopPercent ?? DEFAULTS.overloadEventLoopPercent,
      "overloadEventLoopPercent",
      0,
      100,
    ),
    reforwardAfterMs: int(
      raw.reforwardAfterMs ?? DEFAULTS.reforwardAfterMs,
      "reforwardAfterMs",
      100,
      3_600_000,
    ),
  };
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(config.logLevel)) {
    throw bad(`logLevel must be one of fatal, error, warn, info, debug, trace, silent`, {
      field: "logLevel",
    });
  }
  if (!existsSync(config.manifestFile)) {
    throw new SaylauError(
      "config/missing_manifest",
      `manifest file ${config.manifestFile} does not exist`,
    );
  }
  if (config.ceremonyFile !== null && !existsSync(config.ceremonyFile)) {
    throw new SaylauError(
      "config/missing_ceremony",
      `ceremony transcript file ${config.ceremonyFile} does not exist`,
    );
  }
  if (!existsSync(config.keyFile)) {
    throw new SaylauError(
      "config/missing_key",
      `validator key file ${config.keyFile} does not exist`,
    );
  }
  return config;
}
