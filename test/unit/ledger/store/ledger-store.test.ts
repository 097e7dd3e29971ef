import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bytesEqual, toHex } from "../../../../src/crypto/bytes.ts";
import { leafHash, verifyConsistency, verifyInclusion } from "../../../../src/crypto/merkle.ts";
import { isSaylauError } from "../../../../src/errors.ts";
import { decodeBlock, headerHash } from "../../../../src/ledger/block.ts";
import { keys, PREFIX } from "../../../../src/ledger/store/keys.ts";
import { LedgerStore } from "../../../../src/ledger/store/ledger-store.ts";
import { type RawTip, rawGenesis, rawNext, rawTx } from "../../../support/raw-chain.ts";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "saylau-store-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return "accepted";
}

async function freshStore(): Promise<{ store: LedgerStore; tip: RawTip; dir: string }> {
  const dir = tempDir();
  const store = await LedgerStore.open(dir);
  const g = rawGenesis();
  await store.initialize(new Uint8Array([9]), g.block, new Uint8Array([0]));
  return { store, tip: g.tip, dir };
}

function entry(next: { block: ReturnType<typeof rawNext>["block"] }) {
  return {
    block: next.block,
    certificate: Uint8Array.of(1),
    state: Uint8Array.of(2),
    credentialWrites: [],
  };
}

describe("LedgerStore", () => {
  it("appends blocks and finds them by height, hash and transaction id", async () => {
    const { store, tip: t0 } = await freshStore();
    let tip = t0;
    const all: Uint8Array[] = [];
    for (let h = 1; h <= 5; h++) {
      const txs = Array.from({ length: h }, (_, i) => rawTx("a", h * 100 + i));
      const next = rawNext(tip, txs);
      await store.append(entry(next));
      all.push(...txs);
      tip = next.tip;
    }
    expect(store.head().height).toBe(5);
    expect(store.logSize()).toBe(15);
    const b3 = await store.block(3);
    expect(b3?.header.height).toBe(3);
    expect(await store.heightOf(headerHash(b3!.header))).toBe(3);
    const loc = await store.txLocation(leafHash(all[7]!));
    expect(loc).toEqual({ height: 4, index: 1, leafIndex: 7 });
    expect(await store.txLocation(new Uint8Array(32))).toBeUndefined();
    expect(toHex((await store.certificate(2))!)).toBe("01");
    const heights: number[] = [];
    for await (const b of store.blocksInRange(2, 99)) heights.push(b.height);
    expect(heights).toEqual([2, 3, 4, 5]);
    // A byte budget cuts the range before the block that would exceed it, never before the
    // first one.
    const sizes = new Map<number, number>();
    for await (const b of store.blocksInRange(1, 5)) sizes.set(b.height, b.block.length);
    const within = async (max: number) => {
      const got: number[] = [];
      for await (const b of store.blocksInRange(2, 99, max)) got.push(b.height);
      return got;
    };
    const twoAndThree = sizes.get(2)! + sizes.get(3)!;
    expect(await within(twoAndThree)).toEqual([2, 3]);
    expect(await within(twoAndThree - 1)).toEqual([2]);
    expect(await within(1)).toEqual([2]);
    await store.close();
  });

  it("serves inclusion and consistency proofs for every past size from persisted nodes", async () => {
    const { store, tip: t0 } = await freshStore();
    let tip = t0;
    const headers = [t0.header];
    const leaves: Uint8Array[] = [];
    for (let h = 1; h <= 12; h++) {
      const txs = Array.from({ length: ((h * 7) % 5) + 1 }, (_, i) => rawTx("p", h * 100 + i));
      const next = rawNext(tip, txs);
      await store.append(entry(next));
      leaves.push(...txs.map((t) => leafHash(t)));
      headers.push(next.tip.header);
      tip = next.tip;
    }
    for (const header of headers) {
      expect(toHex(await store.rootAt(header.logSize))).toBe(toHex(header.logRoot));
      for (let i = 0; i < header.logSize; i += 3) {
        const proof = await store.inclusionProof(i, header.logSize);
        expect(verifyInclusion(leaves[i]!, i, header.logSize, proof, header.logRoot).ok).toBe(true);
      }
      for (const later of headers) {
        if (later.logSize < header.logSize || header.logSize === 0) continue;
        const proof = await store.consistencyProof(header.logSize, later.logSize);
        expect(
          verifyConsistency(header.logSize, later.logSize, header.logRoot, later.logRoot, proof).ok,
        ).toBe(true);
      }
    }
    expect(await codeOf(store.inclusionProof(0, store.logSize() + 1))).toBe("store/bad_range");
    expect(await codeOf(store.consistencyProof(5, 3))).toBe("store/bad_range");
    await store.close();
  });

  it("refuses anything but the next block on top of the head", async () => {
    const { store, tip } = await freshStore();
    const good = rawNext(tip, [rawTx("r", 1)]);
    const skip = rawNext(good.tip, [rawTx("r", 2)]);
    expect(await codeOf(store.append(entry(skip)))).toBe("store/not_next");
    const wrongParent = rawNext({ ...tip, hash: new Uint8Array(32) }, [rawTx("r", 3)]);
    expect(await codeOf(store.append(entry(wrongParent)))).toBe("store/wrong_parent");
    const badRoot = rawNext(tip, [rawTx("r", 4)]);
    badRoot.block.header.logRoot = new Uint8Array(32);
    expect(await codeOf(store.append(entry(badRoot)))).toBe("store/bad_log_root");
    const badCount = rawNext(tip, [rawTx("r", 5)]);
    badCount.block.header.txCount = 2;
    expect(await codeOf(store.append(entry(badCount)))).toBe("store/bad_block");
    const otherElection = rawNext(tip, [rawTx("r", 6)]);
    otherElection.block.header.electionId = new Uint8Array(32).fill(1);
    expect(await codeOf(store.append(entry(otherElection)))).toBe("store/wrong_election");
    await store.append(entry(good));
    const replay = rawNext(good.tip, [rawTx("r", 1)]);
    expect(await codeOf(store.append(entry(replay)))).toBe("store/duplicate_tx");
    const twice = rawNext(good.tip, [rawTx("r", 7), rawTx("r", 7)]);
    expect(await codeOf(store.append(entry(twice)))).toBe("store/duplicate_tx");
    expect(store.head().height).toBe(1);
    expect(
      await codeOf(store.initialize(new Uint8Array(1), rawGenesis().block, new Uint8Array(1))),
    ).toBe("store/already_initialized");
    await store.close();
  });

  it("reopens at the same head with the same frontier", async () => {
    const { store, tip: t0, dir } = await freshStore();
    let tip = t0;
    for (let h = 1; h <= 4; h++) {
      const next = rawNext(tip, [rawTx("o", h), rawTx("o", h + 100)]);
      await store.append(entry(next));
      tip = next.tip;
    }
    await store.close();
    const again = await LedgerStore.open(dir);
    expect(again.head().height).toBe(4);
    expect(toHex(again.head().hash)).toBe(toHex(tip.hash));
    const next = rawNext(
      { header: again.head().header, hash: again.head().hash, frontier: again.frontier() },
      [rawTx("o", 999)],
    );
    await again.append(entry(next));
    expect(again.logSize()).toBe(9);
    await again.close();
  });
});

/** Runs the append loop in a child and SIGKILLs it once it has printed `atLeast` heights. */
function appendUntilKilled(dir: string, atLeast: number): Promise<number> {
  const worker = join(import.meta.dirname, "append-forever.ts");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, dir], { stdio: ["ignore", "pipe", "pipe"] });
    let last = -1;
    let seen = 0;
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`append worker too slow: ${seen} heights; ${stderr}`));
    }, 40_000);
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) {
        if (line.trim() === "") continue;
        last = Number(line);
        seen++;
      }
      if (seen >= atLeast && !child.killed) child.kill("SIGKILL");
    });
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") resolve(last);
      else reject(new Error(`worker exited without being killed: ${stderr}`));
    });
  });
}

describe("LedgerStore crash safety", () => {
  it("reopens consistent after SIGKILL in the middle of appends, three times over", async () => {
    const dir = tempDir();
    let lastPrinted = 0;
    for (const round of [37, 23, 51]) {
      lastPrinted = await appendUntilKilled(dir, round);
      const store = await LedgerStore.open(dir);
      const head = store.head();
      // Every height the worker printed was committed before it printed it.
      expect(head.height).toBeGreaterThanOrEqual(lastPrinted);
      // The chain is complete and linked up to the head, and nothing lies beyond it.
      let prevHash = (await store.block(0))!.header.prevHash;
      let txTotal = 0;
      for (let h = 0; h <= head.height; h++) {
        const bytes = await store.blockBytes(h);
        expect(bytes, `block ${h}`).toBeDefined();
        const block = decodeBlock(bytes!);
        expect(bytesEqual(block.header.prevHash, prevHash)).toBe(true);
        prevHash = headerHash(block.header);
        if (h > 0) expect(await store.certificate(h)).toBeDefined();
        txTotal += block.txs.length;
        expect(block.header.logSize).toBe(txTotal);
      }
      expect(await store.blockBytes(head.height + 1)).toBeUndefined();
      expect(await store.certificate(head.height + 1)).toBeUndefined();
      // No index entry without its block.
      let indexed = 0;
      for await (const k of store.db.keys({
        gte: keys.prefixStart(PREFIX.txLocation),
        lt: keys.prefixEnd(PREFIX.txLocation),
      })) {
        const location = await store.txLocation(k.subarray(1));
        expect(location!.height).toBeLessThanOrEqual(head.height);
        const block = decodeBlock((await store.blockBytes(location!.height))!);
        expect(toHex(leafHash(block.txs[location!.index]!))).toBe(toHex(k.subarray(1)));
        indexed++;
      }
      expect(indexed).toBe(txTotal);
      expect(toHex(await store.rootAt(store.logSize()))).toBe(toHex(head.header.logRoot));
      await store.close();
    }
  }, 120_000);
});
