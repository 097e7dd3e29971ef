/**
 * A validator whose stored data goes bad while it runs answers 500 store/corrupt (its own disk
 * failed, not the request) with an error log line, reports itself unhealthy, and keeps running.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "../../../src/ledger/store/keys.ts";
import type { ValidatorNode } from "../../../src/node/validator-node.ts";
import { apiElection, type ElectionEnv, expectErrorShape } from "../../support/api-cluster.ts";
import { startNode } from "../../support/cluster.ts";

let env: ElectionEnv;
let node: ValidatorNode;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  env = await apiElection();
  // One validator of four is enough: nothing here needs consensus.
  const log = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  node = await startNode(env.dir, 0, env.ports, 4, {}, {}, log);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  env?.cleanup();
});

describe("corruption found while running", () => {
  it("a stored block that does not decode is a 500 store/corrupt and an error line, not a 400", async () => {
    const ok = await node.api.inject({ method: "GET", url: "/v1/blocks/0" });
    expect(ok.statusCode).toBe(200);
    expect((await node.api.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);

    await node.replica.store.db.put(keys.block(0), Uint8Array.of(0xa1, 0x61));
    const one = await node.api.inject({ method: "GET", url: "/v1/blocks/0" });
    expectErrorShape(one, 500, "store/corrupt");
    const page = await node.api.inject({ method: "GET", url: "/v1/blocks?from=0" });
    expectErrorShape(page, 500, "store/corrupt");

    const errors = lines.filter((l) => l.level === 50 && l.code === "store/corrupt");
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatchObject({ height: 0 });
    expect(errors[0]!.msg).toMatch(/^store corrupt: stored block 0 does not decode/);

    const health = await node.api.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(503);
    expect(health.json().detail).toMatch(/^store corrupt: /);
    // Still serving what is intact.
    expect((await node.api.inject({ method: "GET", url: "/v1/status" })).statusCode).toBe(200);
  });
});
