/**
 * Helpers for the HTTP API tests: four in-process validators with the polls open, requests
 * through app.inject(), and the one documented error shape.
 */
import { expect } from "vitest";
import { patchValidatorConfigs } from "../../src/cli/election-dir.ts";
import { toHex } from "../../src/crypto/bytes.ts";
import type { ValidatorNode } from "../../src/node/validator-node.ts";
import { electionDirectory, startNode, until } from "./cluster.ts";
import { approvalTx, registrationTxs } from "./election-fixture.ts";

export { until };

export type ElectionEnv = Awaited<ReturnType<typeof electionDirectory>>;

export async function postTx(node: ValidatorNode, url: string, tx: Uint8Array) {
  return node.api.inject({ method: "POST", url, payload: { tx: toHex(tx) } });
}

/** A response from app.inject() or read off a raw socket (test/support/raw-http.ts). */
export interface AnyResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string;
}

/** Every error the API returns is exactly `{ error: { code, message } }`. */
export function expectErrorShape(res: AnyResponse, status?: number, code?: string) {
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new Error(`HTTP ${res.statusCode} body is not JSON: ${res.body.slice(0, 200)}`);
  }
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  expect(Object.keys(body as object)).toEqual(["error"]);
  const error = (body as { error: Record<string, unknown> }).error;
  expect(Object.keys(error).sort()).toEqual(["code", "message"]);
  expect(typeof error.code).toBe("string");
  expect(error.code).toMatch(/^[a-z_]+\/[a-z_]+$/);
  expect(typeof error.message).toBe("string");
  expect((error.message as string).length).toBeGreaterThan(0);
  const actual = { status: res.statusCode, code: error.code, message: error.message };
  if (status !== undefined) expect(actual).toMatchObject({ status });
  if (code !== undefined) expect(actual).toMatchObject({ code });
  return error as { code: string; message: string };
}

/** A small election directory; `configPatch` is merged into every validator's config.json. */
export async function apiElection(
  options: Parameters<typeof electionDirectory>[0] = {},
  configPatch: Record<string, unknown> = {},
): Promise<ElectionEnv> {
  const env = await electionDirectory(options);
  patchValidatorConfigs(env.dir, env.setup.validators.length, configPatch);
  return env;
}

export async function startAll(env: ElectionEnv): Promise<ValidatorNode[]> {
  const n = env.setup.validators.length;
  return Promise.all(Array.from({ length: n }, (_, i) => startNode(env.dir, i, env.ports, n)));
}

/**
 * Has the commission approve the manifest and registers every voter of the fixture, waiting
 * for both commits. The fixture's default schedule is open from long before now, so the
 * polls are open as soon as the approval commits.
 */
export async function registerAndOpen(env: ElectionEnv, nodes: ValidatorNode[]): Promise<void> {
  const { setup } = env;
  const approve = await postTx(nodes[1 % nodes.length]!, "/v1/transactions", approvalTx(setup));
  if (approve.statusCode !== 202) throw new Error(`approve: ${approve.statusCode} ${approve.body}`);
  await until("approval", () => nodes.every((n) => n.replica.tip.state.phase !== "setup"));
  for (const tx of registrationTxs(setup)) {
    const reg = await postTx(nodes[0]!, "/v1/transactions", tx);
    if (reg.statusCode !== 202) throw new Error(`register: ${reg.statusCode} ${reg.body}`);
  }
  await until("registration", () =>
    nodes.every((n) => n.replica.tip.state.credentials === setup.voters.length),
  );
  await until("polls open", () => nodes.every((n) => n.replica.tip.state.phase === "open"));
}
