/**
 * `saylau node resync`: a damaged data directory is moved aside and replaced by an empty one
 * holding the signing fence read from the damaged store (or given with --fence); a running
 * validator's store, files the validator needs inside the directory, and a fence nobody can
 * tell are refused; an interrupted resync is noticed. And through the real command: `node
 * start` on a damaged store exits 1 naming the fix, `node resync` applies it.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCanonical } from "../../../src/codec/cbor.ts";
import { keys } from "../../../src/ledger/store/keys.ts";
import { decodeHeadRecord, LedgerStore } from "../../../src/ledger/store/ledger-store.ts";
import { ConsensusWal } from "../../../src/node/consensus-wal.ts";
import { openLedger, resyncStagingDir } from "../../../src/node/open-ledger.ts";
import { type ResyncResult, resyncStore } from "../../../src/node/resync.ts";
import { electionDirectory } from "../../support/cluster.ts";
import {
  copyDir,
  flipBytes,
  largestTable,
  openLevel,
  storedChain,
} from "../../support/stored-chain.ts";

const CLI = resolve(import.meta.dirname, "../../../src/cli/main.ts");
let root: string;
let base: Awaited<ReturnType<typeof storedChain>>;
const cleanup: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "saylau-resync-"));
  base = await storedChain(root);
}, 60_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  for (const c of cleanup) rmSync(c, { recursive: true, force: true });
});

const head = () => base.built.entries.length;

function copy(): string {
  const c = copyDir(base.dir);
  cleanup.push(join(c, ".."));
  return c;
}

async function edit(dir: string, change: (db: ReturnType<typeof openLevel>) => Promise<void>) {
  const db = openLevel(dir);
  await db.open();
  await change(db);
  await db.close();
}

function resync(dir: string, fence?: number): Promise<ResyncResult> {
  return resyncStore({
    dataDir: dir,
    keep: [join(dir, "..", "validator.key")],
    ...(fence === undefined ? {} : { fence }),
    stamp: "test",
  });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return "accepted";
}

/** Opens a resynced directory as a validator would; returns its height and fence. */
async function reopened(dir: string) {
  const { replica, silentThrough } = await openLedger(
    dir,
    base.built.setup.manifestBytes,
    pino({ level: "silent" }),
  );
  const height = replica.height;
  await replica.close();
  return { height, silentThrough };
}

describe("resyncStore", () => {
  it("moves a damaged store aside; the new one starts at genesis, fenced at its old head + 1", async () => {
    const dir = copy();
    await edit(dir, async (db) => {
      await db.put(keys.certificate(2), (await db.get(keys.certificate(3)))!);
    });
    expect(await codeOf(reopened(dir))).toBe("store/corrupt");
    const result = await resync(dir);
    expect(result.damagedDir).toBe(`${dir}.damaged-test`);
    expect(readdirSync(result.damagedDir!)).toContain("CURRENT");
    expect(result.fence).toBe(head() + 1);
    expect(result.fenceFrom).toMatch(`its head, height ${head()}`);
    expect(await reopened(dir)).toEqual({ height: 0, silentThrough: head() + 1 });
    expect(existsSync(resyncStagingDir(dir))).toBe(false);
  });

  it("takes the fence from the consensus WAL when that is higher, or when the head cannot be read", async () => {
    const dir = copy();
    await edit(dir, (db) => new ConsensusWal(db, false).append(head() + 2, Uint8Array.of(1)));
    expect((await resync(dir)).fence).toBe(head() + 2);

    const noHead = copy();
    await edit(noHead, async (db) => {
      await new ConsensusWal(db, false).append(head() + 1, Uint8Array.of(1));
      await db.put(keys.head(), Uint8Array.of(0xff));
    });
    const result = await resync(noHead);
    expect(result).toMatchObject({ fence: head() + 1, fenceFrom: /consensus WAL/ });

    // A damaged head record that still decodes, naming a lower height, is not believed.
    const lower = copy();
    await edit(lower, async (db) => {
      const record = decodeHeadRecord((await db.get(keys.head()))!);
      await db.put(keys.head(), encodeCanonical({ height: 3, hash: record.hash }));
    });
    expect(await codeOf(resync(lower))).toBe("store/fence_unknown");
  });

  it("needs --fence when the damaged store cannot tell, and takes it", async () => {
    const dir = copy();
    const manifest = readdirSync(dir).find((n) => n.startsWith("MANIFEST-"))!;
    rmSync(join(dir, manifest)); // LevelDB cannot open it at all now
    expect(await codeOf(resync(dir))).toBe("store/fence_unknown");
    expect(existsSync(join(dir, "CURRENT"))).toBe(true);
    const result = await resync(dir, 42);
    expect(result).toMatchObject({ fence: 42, fenceFrom: "--fence" });
    expect(await reopened(dir)).toEqual({ height: 0, silentThrough: 42 });
  });

  it("refuses a store a validator has open, and files it must keep inside the directory", async () => {
    const dir = copy();
    const store = await LedgerStore.open(dir);
    try {
      expect(await codeOf(resync(dir))).toBe("store/in_use");
    } finally {
      await store.close();
    }
    expect(existsSync(`${dir}.damaged-test`)).toBe(false);
    const keep = resyncStore({ dataDir: dir, keep: [join(dir, "key")], stamp: "test" });
    expect(await codeOf(keep)).toBe("store/unsafe_resync");
  });

  it("an interrupted resync stops the validator from starting, and the next resync finishes it", async () => {
    const dir = copy();
    // Stopped after building the new directory, before the swap.
    mkdirSync(resyncStagingDir(dir));
    expect(await codeOf(reopened(dir))).toBe("store/resync_incomplete");
    expect((await resync(dir)).fence).toBe(head() + 1);
    // Stopped between the two renames: only the new directory is left.
    const other = copy();
    await resync(other);
    renameSync(other, resyncStagingDir(other));
    expect(await codeOf(reopened(other))).toBe("store/resync_incomplete");
    expect((await resync(other)).damagedDir).toBeNull();
    expect(await reopened(other)).toEqual({ height: 0, silentThrough: head() + 1 });
  });
});

describe("saylau node start / resync", () => {
  it("start refuses a damaged store (exit 1, a store/corrupt log line, the command to run); resync fixes it", async () => {
    const env = await electionDirectory();
    cleanup.push(env.dir);
    const vdir = join(env.dir, "validators", "0");
    const config = join(vdir, "config.json");
    // The fixture election's directory and the stored chain's election are the same.
    cpSync(base.dir, join(vdir, "data"), { recursive: true });
    flipBytes(largestTable(join(vdir, "data")), 300, "resync/cli");
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });

    const start = run("node", "start", "--config", config);
    expect(start.status).toBe(1);
    expect(start.stderr).toMatch(/^error store\/corrupt: LevelDB file \d+\.ldb/);
    expect(start.stderr).toContain(`to recover: saylau node resync --config ${config}`);
    const logged = start.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.filter((l) => l.level === 50)).toMatchObject([
      { code: "store/corrupt", dataDir: join(vdir, "data"), file: expect.any(String) },
    ]);

    // 300 bytes over this small chain's only table: its head record cannot be read either.
    const unsure = run("node", "resync", "--config", config);
    expect(unsure.status).toBe(1);
    expect(unsure.stderr).toMatch(/^error store\/fence_unknown: .*give --fence H/);
    expect(readdirSync(vdir).filter((n) => n.startsWith("data."))).toEqual([]);

    const fixed = run("node", "resync", "--config", config, "--fence", String(head() + 1));
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toContain(`signing fence: height ${head() + 1} (from --fence)`);
    expect(readdirSync(vdir).filter((n) => n.startsWith("data.damaged-"))).toHaveLength(1);
    expect(existsSync(join(vdir, "validator.key"))).toBe(true);
    const { replica, silentThrough } = await openLedger(
      join(vdir, "data"),
      env.setup.manifestBytes,
      pino({ level: "silent" }),
    );
    expect([replica.height, silentThrough]).toEqual([0, head() + 1]);
    await replica.close();
  }, 120_000);
});
