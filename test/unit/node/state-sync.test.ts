/**
 * State sync between in-process validators: validators 0-2 run an election without
 * validator 3; validator 3 then fills its empty store from a snapshot served over the HTTP
 * API, starts, and follows the chain with block sync. A source serving a forged snapshot is
 * refused (and the next one used), nothing is written unless a snapshot verifies, and the
 * state-synced validator answers a typed error for what it does not hold.
 *
 * The records are checked against the certified state's own credential lattice (PROTOCOL.md
 * §6.1); the test also recomputes that digest from an honest validator's records, to show
 * the state commits to exactly them.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { credentialsLatticeHash } from "../../../src/ledger/credentials-digest.ts";
import { decodeSnapshotChunk, encodeSnapshotChunk } from "../../../src/ledger/snapshot.ts";
import { keys, PREFIX } from "../../../src/ledger/store/keys.ts";
import type { LedgerStore } from "../../../src/ledger/store/ledger-store.ts";
import { ballotTx } from "../../../src/ledger/tx-builders.ts";
import { loadConfig } from "../../../src/node/config.ts";
import { openLedger } from "../../../src/node/open-ledger.ts";
import { stateSync, stateSyncStagingDir } from "../../../src/node/state-sync.ts";
import type { ValidatorNode } from "../../../src/node/validator-node.ts";
import { decodeReceipt, verifyReceipt } from "../../../src/receipt/receipt.ts";
import { expectErrorShape, postTx, registerAndOpen } from "../../support/api-cluster.ts";
import { electionDirectory, startNode, until } from "../../support/cluster.ts";

let env: Awaited<ReturnType<typeof electionDirectory>>;
let nodes: ValidatorNode[] = [];
let synced: ValidatorNode | undefined;
let forger: Server | undefined;
const rng = seededRng(sha256(utf8("state-sync-test")));
const tmp = mkdtempSync(join(tmpdir(), "saylau-state-sync-"));

async function recordsOf(store: LedgerStore) {
  const out: { credential: Uint8Array; record: Uint8Array }[] = [];
  for await (const [key, value] of store.db.iterator({
    gte: keys.prefixStart(PREFIX.credential),
    lt: keys.prefixEnd(PREFIX.credential),
  })) {
    out.push({ credential: key.subarray(1), record: value });
  }
  return out;
}

async function castBallots(voters: number[], seq: number): Promise<string[]> {
  const { setup, ctx } = env;
  const ids: string[] = [];
  for (const i of voters) {
    const tx = ballotTx(
      ctx,
      setup.voters[i]!,
      setup.voterDistricts[i]!,
      [
        [1, 0, 0],
        [0, 1, 1, 0],
      ],
      seq,
      rng,
    );
    const res = await postTx(nodes[i % 3]!, "/v1/ballots", tx);
    if (res.statusCode !== 202) throw new Error(`ballot: ${res.statusCode} ${res.body}`);
    ids.push((res.json() as { id: string }).id);
  }
  return ids;
}

const dataDirOf3 = () => loadConfig(join(env.dir, "validators", "3", "config.json")).dataDir;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return "accepted";
}

beforeAll(async () => {
  env = await electionDirectory({ voters: 12 });
  nodes = await Promise.all([0, 1, 2].map((i) => startNode(env.dir, i, env.ports, 4)));
  await registerAndOpen(env, nodes);
  await castBallots([0, 1, 2, 3, 4, 5, 6, 7], 1);
  await until("ballots committed", () => nodes.every((n) => n.replica.tip.state.ballots === 8));
  await until("one head", () => new Set(nodes.map((n) => toHex(n.replica.tip.hash))).size === 1);
}, 120_000);

afterAll(async () => {
  await synced?.stop();
  await Promise.all(nodes.map((n) => n.stop()));
  forger?.close();
  env.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe("serving snapshots", () => {
  it("serves a manifest at the head, and its chunks; a chunk of another height is snapshot/stale", async () => {
    const res = await nodes[0]!.api.inject({ method: "GET", url: "/v1/snapshot" });
    expect(res.statusCode).toBe(200);
    const view = res.json() as { height: number; chunkCount: number; manifest: string };
    expect(view.height).toBe(nodes[0]!.replica.height);
    expect(view.chunkCount).toBe(1);
    const chunk = await nodes[0]!.api.inject({
      method: "GET",
      url: `/v1/snapshot/chunks/0?height=${view.height}`,
    });
    expect(chunk.statusCode).toBe(200);
    const records = decodeSnapshotChunk(fromHex((chunk.json() as { chunk: string }).chunk)).records;
    expect(records.length).toBe(12);
    const stale = await nodes[0]!.api.inject({
      method: "GET",
      url: `/v1/snapshot/chunks/0?height=${view.height - 1}`,
    });
    expectErrorShape(stale, 409, "snapshot/stale");
    const missing = await nodes[0]!.api.inject({ method: "GET", url: "/v1/snapshot/chunks/1" });
    expectErrorShape(missing, 404, "node/not_found");
  });
});

describe("the snapshot routes", () => {
  it("are in the OpenAPI document and refuse malformed requests with api/invalid_request", async () => {
    const doc = (await nodes[0]!.api.inject({ method: "GET", url: "/openapi.json" })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.paths["/v1/snapshot"]?.get).toBeDefined();
    expect(doc.paths["/v1/snapshot/chunks/{index}"]?.get).toBeDefined();
    for (const url of [
      "/v1/snapshot/chunks/x",
      "/v1/snapshot/chunks/01",
      "/v1/snapshot/chunks/0?height=x",
      "/v1/snapshot/chunks/0?other=1",
    ]) {
      const res = await nodes[0]!.api.inject({ method: "GET", url });
      expectErrorShape(res, 400, "api/invalid_request");
    }
  });
});

describe("state sync of a replacement validator", () => {
  it("the certified state's credential lattice is the lattice hash of an honest validator's records", async () => {
    const node = nodes[0]!;
    expect(toHex(node.replica.tip.state.credentialsLattice.digest())).toBe(
      toHex(credentialsLatticeHash(await recordsOf(node.replica.store)).digest()),
    );
  });

  it("asks a source again when it moved to a newer snapshot during the fetch (snapshot/stale)", async () => {
    let staleOnce = true;
    const flaky = createServer(async (req, res) => {
      if (staleOnce && req.url?.startsWith("/v1/snapshot/chunks/")) {
        staleOnce = false;
        res.writeHead(409, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "snapshot/stale", message: "moved on" } }));
        return;
      }
      const upstream = await fetch(`${nodes[1]!.httpUrl}${req.url}`);
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(await upstream.text());
    });
    await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", r));
    try {
      const dataDir = join(tmp, "stale");
      const result = await stateSync({
        dataDir,
        manifestBytes: env.setup.manifestBytes,
        sources: [`http://127.0.0.1:${(flaky.address() as { port: number }).port}`],
      });
      expect(staleOnce).toBe(false);
      expect(result.records).toBe(12);
    } finally {
      flaky.close();
    }
  });

  it("refuses a forged snapshot, writing nothing, and takes the next source's", async () => {
    // A source that relays validator 1's snapshot with one record changed in its chunk and
    // the manifest's chunk hash left as it was.
    forger = createServer(async (req, res) => {
      const upstream = await fetch(`${nodes[1]!.httpUrl}${req.url}`);
      let body = (await upstream.json()) as Record<string, unknown>;
      if (req.url?.startsWith("/v1/snapshot/chunks/")) {
        const records = decodeSnapshotChunk(fromHex(body.chunk as string)).records;
        const forged = records.map((r, i) => (i === 3 ? { ...r, record: records[4]!.record } : r));
        body = { ...body, chunk: toHex(encodeSnapshotChunk({ records: forged })) };
      }
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => forger!.listen(0, "127.0.0.1", r));
    const address = forger.address() as { port: number };
    const forgedUrl = `http://127.0.0.1:${address.port}`;

    const only = join(tmp, "forged");
    const sync = (dataDir: string, sources: string[]) =>
      stateSync({ dataDir, manifestBytes: env.setup.manifestBytes, sources });
    expect(await codeOf(sync(only, [forgedUrl]))).toBe("snapshot/forged_chunk");
    expect(existsSync(only)).toBe(false);
    expect(existsSync(stateSyncStagingDir(only))).toBe(false);

    const dataDir = dataDirOf3();
    const result = await sync(dataDir, ["http://127.0.0.1:1", forgedUrl, nodes[2]!.httpUrl]);
    expect(result).toMatchObject({
      height: nodes[0]!.replica.height,
      records: 12,
      chunks: 1,
      source: nodes[2]!.httpUrl,
      fence: nodes[0]!.replica.height + 1,
    });
    expect(await codeOf(sync(dataDir, [nodes[0]!.httpUrl]))).toBe("store/not_empty");
  });

  it("starts from the snapshot, passes the store check, and follows the chain", async () => {
    const base = nodes[0]!.replica.height;
    synced = await startNode(env.dir, 3, env.ports, 4);
    expect(synced.replica.height).toBe(base);
    expect(synced.replica.store.base?.height).toBe(base);
    expect(toHex(synced.replica.tip.hash)).toBe(toHex(nodes[0]!.replica.tip.hash));

    // Voters 0 and 1 vote again, 8-11 for the first time: the records the snapshot carried
    // are read and replaced on validator 3 as on the others.
    const ids = await castBallots([0, 1, 8, 9, 10, 11], 2);
    await until("validator 3 caught up", () => synced!.replica.tip.state.ballots === 14, 60_000);
    await until("one head", () =>
      [...nodes, synced!].every(
        (n) => toHex(n.replica.tip.hash) === toHex(nodes[0]!.replica.tip.hash),
      ),
    );
    expect((await recordsOf(synced.replica.store)).map((r) => toHex(r.record))).toEqual(
      (await recordsOf(nodes[0]!.replica.store)).map((r) => toHex(r.record)),
    );

    // A receipt for a ballot committed after the snapshot verifies: the log's frontier
    // the snapshot carried is enough for inclusion proofs of later transactions.
    const receipt = await synced.api.inject({
      method: "GET",
      url: `/v1/ballots/${ids[2]}/receipt`,
    });
    expect(receipt.statusCode).toBe(200);
    const decoded = decodeReceipt(fromHex((receipt.json() as { receipt: string }).receipt));
    const trust = {
      electionId: env.setup.electionId,
      validators: env.setup.validators.map((v) => v.publicKey),
    };
    expect(() => verifyReceipt(trust, decoded)).not.toThrow();

    // Blocks above the snapshot are served; those at or below it are node/pruned, not a crash.
    const above = await synced.api.inject({ method: "GET", url: `/v1/blocks/${base + 1}` });
    expect(above.statusCode).toBe(200);
    for (const url of [`/v1/blocks/${base}`, "/v1/blocks/1", "/v1/blocks?from=0"]) {
      expectErrorShape(await synced.api.inject({ method: "GET", url }), 410, "node/pruned");
    }
    const proof = await synced.api.inject({
      method: "GET",
      url: `/v1/proofs/consistency?from=1&to=${synced.replica.tip.header.logSize}`,
    });
    expectErrorShape(proof, 410, "store/pruned");
    const old = await synced.api.inject({ method: "GET", url: `/v1/blocks?from=${base + 1}` });
    expect(old.statusCode).toBe(200);
  }, 90_000);

  it("reopens: the store check accepts a state-synced store and finds damage in it", async () => {
    const dir = dataDirOf3();
    await synced!.stop();
    synced = undefined;
    const log = pino({ level: "silent" });
    const { replica } = await openLedger(dir, env.setup.manifestBytes, log);
    const base = replica.store.base!.height;
    const baseCert = await replica.store.certificate(base);
    await replica.store.db.put(
      keys.certificate(base),
      (await replica.store.certificate(base + 1))!,
    );
    await replica.close();
    expect(await codeOf(openLedger(dir, env.setup.manifestBytes, log))).toBe("store/corrupt");
    const { Level } = await import("level");
    const db = new Level<Uint8Array, Uint8Array>(dir, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await db.put(keys.certificate(base), baseCert!);
    await db.close();
    const reopened = await openLedger(dir, env.setup.manifestBytes, log);
    expect(reopened.replica.height).toBeGreaterThan(base);
    await reopened.replica.close();
  });
});

describe("saylau node state-sync", () => {
  const CLI = resolve(import.meta.dirname, "../../../src/cli/main.ts");
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, "node", "state-sync", ...args], {
      encoding: "utf8",
      timeout: 60_000,
    });

  it("needs --from (exit 2), and exits 3 with nothing written when no source answers", () => {
    const config = join(env.dir, "validators", "3", "config.json");
    const usage = run("--config", config);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--from/);
    const dataDir = dataDirOf3();
    rmSync(dataDir, { recursive: true, force: true });
    const unreachable = run("--config", config, "--from", "http://127.0.0.1:1");
    expect(unreachable.status).toBe(3);
    expect(unreachable.stderr).toMatch(/^error snapshot\/unreachable: /);
    expect(existsSync(dataDir)).toBe(false);
  });
});
