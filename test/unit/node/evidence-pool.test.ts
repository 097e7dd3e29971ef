/**
 * The evidence pool on a real LevelDB: one copy per id, a bound per accused validator,
 * pages in id order, what survives a reopen, and evidence an older version stored under
 * sequence numbers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { evidenceId, MAX_EVIDENCE_PER_VALIDATOR } from "../../../src/consensus/evidence.ts";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../../src/crypto/ed25519.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { PREFIX, u64 } from "../../../src/ledger/store/keys.ts";
import { EvidencePool } from "../../../src/node/evidence-pool.ts";
import { signedEvidence, tamperedEvidence } from "../../support/evidence.ts";

const electionId = sha256(utf8("evidence pool test"));
const seeds = [0, 1, 2, 3].map((i) => sha256(utf8(`evidence pool validator ${i}`)));
const validators = seeds.map((s) => keyPairFromSeed(s).publicKey);
const proof = (validator: number, nonce = 0, height = 4) =>
  signedEvidence(
    seeds[validator]!,
    electionId,
    validator,
    { height, view: 0, phase: "prepare" },
    nonce,
  );

let dir: string;
let db: Level<Uint8Array, Uint8Array>;

async function openDb(): Promise<Level<Uint8Array, Uint8Array>> {
  const level = new Level<Uint8Array, Uint8Array>(dir, {
    keyEncoding: "view",
    valueEncoding: "view",
  });
  await level.open();
  return level;
}

async function storedKeys(): Promise<string[]> {
  const out: string[] = [];
  for await (const key of db.keys({
    gte: Uint8Array.of(PREFIX.evidence),
    lt: Uint8Array.of(PREFIX.evidence + 1),
  })) {
    out.push(toHex(key));
  }
  return out;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "saylau-evidence-pool-"));
  db = await openDb();
});

afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the evidence pool", () => {
  it("stores verified evidence once, under its id, and finds it again after a reopen", async () => {
    const pool = new EvidencePool(db, electionId, validators);
    await pool.load();
    const a = proof(1);
    expect((await pool.offer(a.bytes)).outcome).toBe("new");
    expect((await pool.offer(Uint8Array.from(a.bytes))).outcome).toBe("known");
    expect(await storedKeys()).toEqual([`22${toHex(evidenceId(a.bytes))}`]);

    await db.close();
    db = await openDb();
    const reopened = new EvidencePool(db, electionId, validators);
    expect(await reopened.load()).toEqual({ loaded: 1, migrated: 0, ignored: 0 });
    expect(reopened.page(null, 10).items.map((s) => toHex(s.bytes))).toEqual([toHex(a.bytes)]);
    expect((await reopened.offer(a.bytes)).outcome).toBe("known");
  });

  it("serves evidence once it is durable, and takes a copy that arrives meanwhile as known", async () => {
    let finishWrite = () => {};
    const slowDb = {
      put: () =>
        new Promise<void>((resolve) => {
          finishWrite = resolve;
        }),
    } as unknown as Level<Uint8Array, Uint8Array>;
    const pool = new EvidencePool(slowDb, electionId, validators);
    const a = proof(1);
    const first = pool.offer(a.bytes);
    expect((await pool.offer(a.bytes)).outcome).toBe("known");
    expect(pool.size).toBe(0);
    expect(pool.page(null, 10).items).toEqual([]);
    finishWrite();
    expect((await first).outcome).toBe("new");
    expect(pool.size).toBe(1);
    expect(pool.page(null, 10).items.map((s) => s.id)).toEqual([toHex(evidenceId(a.bytes))]);
  });

  it("refuses evidence that does not verify, with a typed code, and stores nothing", async () => {
    const pool = new EvidencePool(db, electionId, validators);
    await pool.load();
    for (const [what, bytes] of tamperedEvidence(proof(2), validators.length)) {
      const err = await pool.offer(bytes).catch((e: unknown) => e);
      expect((err as { code?: string }).code, what).toMatch(
        /^(consensus\/bad_evidence|codec\/.+)$/,
      );
    }
    expect(pool.size).toBe(0);
    expect(await storedKeys()).toEqual([]);
  });

  it("keeps at most MAX_EVIDENCE_PER_VALIDATOR proofs against one validator", async () => {
    const pool = new EvidencePool(db, electionId, validators);
    await pool.load();
    const outcomes: string[] = [];
    for (let nonce = 0; nonce <= MAX_EVIDENCE_PER_VALIDATOR; nonce++) {
      outcomes.push((await pool.offer(proof(3, nonce, 10 + nonce).bytes)).outcome);
    }
    expect(outcomes.filter((o) => o === "new")).toHaveLength(MAX_EVIDENCE_PER_VALIDATOR);
    expect(outcomes.at(-1)).toBe("full");
    // Another validator's evidence is not crowded out.
    expect((await pool.offer(proof(0).bytes)).outcome).toBe("new");
    expect(pool.size).toBe(MAX_EVIDENCE_PER_VALIDATOR + 1);
  });

  it("serves pages in ascending id order, each naming where the next starts", async () => {
    const pool = new EvidencePool(db, electionId, validators);
    await pool.load();
    const all = [0, 1, 2, 3, 4].map((nonce) => proof(nonce % 4, nonce));
    for (const e of all) await pool.offer(e.bytes);
    const ids = all.map((e) => toHex(evidenceId(e.bytes))).sort();
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = pool.page(after, 2);
      seen.push(...page.items.map((s) => s.id));
      if (page.next === null) break;
      expect(page.next).toBe(page.items.at(-1)!.id);
      after = page.next;
    }
    expect(seen).toEqual(ids);
    expect(pool.page(ids.at(-1)!, 2)).toEqual({ items: [], next: null });
  });

  it("re-keys by id what an older version stored by sequence number, ignoring what does not verify", async () => {
    const good = proof(1);
    const [, bad] = tamperedEvidence(proof(2), validators.length)[2]!;
    const legacyKey = (seq: number) => Uint8Array.of(PREFIX.evidence, ...u64(seq));
    await db.put(legacyKey(0), good.bytes);
    await db.put(legacyKey(1), bad);
    const pool = new EvidencePool(db, electionId, validators);
    expect(await pool.load()).toEqual({ loaded: 1, migrated: 1, ignored: 1 });
    expect(pool.page(null, 10).items.map((s) => s.id)).toEqual([toHex(evidenceId(good.bytes))]);
    expect(await storedKeys()).toEqual([toHex(legacyKey(1)), `22${toHex(evidenceId(good.bytes))}`]);
  });
});
