/**
 * A validator checks its store when it opens it (openLedger): each test damages a copy of a
 * stopped validator's data directory holding a real certified chain in one way, and the open
 * must refuse with store/corrupt and one error log line saying what is wrong and how to recover.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBlock } from "../../../src/ledger/block.ts";
import { keys, PREFIX } from "../../../src/ledger/store/keys.ts";
import { openLedger } from "../../../src/node/open-ledger.ts";
import {
  copyDir,
  flipBytes,
  largestTable,
  openLevel,
  storedChain,
} from "../../support/stored-chain.ts";
import { certify } from "../audit/record.ts";

let root: string;
let base: Awaited<ReturnType<typeof storedChain>>;
const copies: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "saylau-store-check-"));
  base = await storedChain(root);
}, 60_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  for (const c of copies) rmSync(join(c, ".."), { recursive: true, force: true });
});

function copy(): string {
  const c = copyDir(base.dir);
  copies.push(c);
  return c;
}

function capture(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

const head = () => base.built.entries.length;

/** Changes a stopped copy through LevelDB itself (so its files stay intact). */
async function edit(dir: string, change: (db: ReturnType<typeof openLevel>) => Promise<void>) {
  const db = openLevel(dir);
  await db.open();
  await change(db);
  await db.close();
}

async function refusal(
  dir: string,
): Promise<{ message: string; details: Record<string, unknown> }> {
  const { log, lines } = capture();
  let error: unknown;
  try {
    const { replica } = await openLedger(dir, base.built.setup.manifestBytes, log);
    await replica.close();
  } catch (err) {
    error = err;
  }
  expect(error, "the open should have been refused").toMatchObject({ code: "store/corrupt" });
  const errors = lines.filter((l) => l.level === 50);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ code: "store/corrupt", dataDir: dir });
  expect(errors[0]!.msg).toMatch(/^refusing to start: .*saylau node resync/);
  return error as { message: string; details: Record<string, unknown> };
}

describe("openLedger on a stopped validator's store", () => {
  it("opens an intact copy after checking every height", async () => {
    const { log, lines } = capture();
    const { replica, silentThrough } = await openLedger(
      copy(),
      base.built.setup.manifestBytes,
      log,
    );
    expect(replica.height).toBe(head());
    expect(silentThrough).toBe(0);
    await replica.close();
    expect(lines.find((l) => l.msg === "stored chain checked")).toMatchObject({
      height: head(),
      tables: 1,
    });
  });

  it("refuses with 300 bytes flipped in the largest table file, naming the file", async () => {
    const dir = copy();
    const table = largestTable(dir);
    flipBytes(table, 300, "store-check/300");
    const err = await refusal(dir);
    expect(err.details.file).toBe(table.split("/").at(-1));
  });

  it("refuses with one flipped byte in the write-ahead log LevelDB would replay", async () => {
    const dir = copy();
    // A write after the last flush stays in the log until the next open.
    await edit(dir, (db) =>
      db.put(Uint8Array.of(PREFIX.pool, 0, 0, 0, 0, 0, 0, 0, 1), new Uint8Array(200)),
    );
    const log = readdirSync(dir).find((n) => n.endsWith(".log"))!;
    flipBytes(join(dir, log), 1, "store-check/log");
    const err = await refusal(dir);
    expect(err.details.file).toBe(log);
  });

  it("refuses a block replaced by a different valid block", async () => {
    const dir = copy();
    const original = base.built.ledger.blocks[4]!;
    const other = { ...original, header: { ...original.header, time: original.header.time + 1 } };
    await edit(dir, (db) => db.put(keys.block(4), encodeBlock(other)));
    const err = await refusal(dir);
    expect(err.message).toMatch(/^block 5: its prevHash is not the hash of the block before it/);
  });

  it("refuses a stored state that does not match the head's stateHash", async () => {
    const dir = copy();
    await edit(dir, async (db) => {
      // The store keeps the head's state only: change one byte of it.
      const state = Uint8Array.from((await db.get(keys.state(head())))!);
      state[state.length - 1]! ^= 1;
      await db.put(keys.state(head()), state);
    });
    const err = await refusal(dir);
    expect(err.message).toMatch(
      `state stored after block ${head()} does not hash to its stateHash`,
    );
  });

  it("refuses a store without the head's state, and an earlier state that is not its block's", async () => {
    const missing = copy();
    await edit(missing, (db) => db.del(keys.state(head())));
    expect((await refusal(missing)).message).toMatch("no state stored for the head");
    // Stores written before only the head's state was kept hold every height's: each one
    // there must hash to its own block's stateHash.
    const wrong = copy();
    await edit(wrong, async (db) => {
      await db.put(keys.state(head() - 1), (await db.get(keys.state(head())))!);
    });
    expect((await refusal(wrong)).message).toMatch(
      `state stored after block ${head() - 1} does not hash to its stateHash`,
    );
  });

  it("refuses a certificate without a quorum of signatures", async () => {
    const dir = copy();
    const header = base.built.ledger.blocks[3]!.header;
    await edit(dir, (db) => db.put(keys.certificate(3), certify(base.built.setup, header, [0, 1])));
    const err = await refusal(dir);
    expect(err.message).toMatch(/^the certificate of block 3 does not verify/);
  });

  it("refuses a missing block, and a block stored above the head", async () => {
    const gap = copy();
    await edit(gap, (db) => db.del(keys.block(2)));
    expect((await refusal(gap)).message).toMatch(/^block 2 is missing/);
    const above = copy();
    await edit(above, (db) =>
      db.put(keys.block(head() + 1), encodeBlock(base.built.ledger.blocks[1]!)),
    );
    expect((await refusal(above)).message).toMatch(`block ${head() + 1} is stored above the head`);
  });
});
