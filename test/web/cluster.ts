/**
 * Four in-process validators serving a fresh build of the web app over real HTTP on
 * loopback. The election has two regions and three districts with two ballot styles: the
 * mayor's contest (choose one) is national, the council (choose up to two) is on the
 * ballots of district 0 only. The commission approves the manifest, each region's registrar
 * registers its districts' voters, and the polls are open (they opened at createdAt).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWeb } from "../../scripts/build-web.ts";
import type { Ed25519KeyPair } from "../../src/crypto/ed25519.ts";
import type { ElectionSetup, RegionInput } from "../../src/ledger/election-setup.ts";
import type { ContestScope } from "../../src/ledger/manifest.ts";
import type { ValidatorNode } from "../../src/node/validator-node.ts";
import { apiElection, type ElectionEnv, postTx, startAll, until } from "../support/api-cluster.ts";
import { approvalTx, FIXTURE_CREATED_AT, registrationTxs } from "../support/election-fixture.ts";

export const WEB_REGIONS: readonly RegionInput[] = [
  {
    id: "KZ-ALA",
    name: "Almaty",
    districts: [
      { id: "ALA-1", name: "Almaty-1" },
      { id: "ALA-2", name: "Almaty-2" },
    ],
  },
  { id: "KZ-AST", name: "Astana", districts: [{ id: "AST-1", name: "Astana-1" }] },
];

/** Mayor everywhere; Council in district 0 (ALA-1) only: two ballot styles. */
export const WEB_SCOPES: readonly ContestScope[] = [
  { level: "national", index: 0 },
  { level: "district", index: 0 },
];

/** Voters are registered round robin: voter i is in district i mod 3. */
export const WEB_VOTERS = 15;

export interface WebCluster {
  readonly env: ElectionEnv;
  readonly nodes: ValidatorNode[];
  readonly urls: string[];
  stop(): Promise<void>;
}

/** The k-th voter (from 0) registered in `district`. */
export function voterIn(setup: ElectionSetup, district: number, k: number): Ed25519KeyPair {
  const indices = setup.voterDistricts.flatMap((d, i) => (d === district ? [i] : []));
  const i = indices[k];
  if (i === undefined) throw new Error(`district ${district} has no voter ${k}`);
  return setup.voters[i]!;
}

export async function submit(nodes: ValidatorNode[], tx: Uint8Array, at = 0): Promise<void> {
  const res = await postTx(nodes[at % nodes.length]!, "/v1/transactions", tx);
  if (res.statusCode !== 202) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
}

/**
 * `closesAt` (ms, UTC): when the polls close; by default 30 years after they open. A test
 * that needs the results closes them a little after its ballots are in.
 */
export async function startWebCluster(options: { closesAt?: number } = {}): Promise<WebCluster> {
  const webRoot = mkdtempSync(join(tmpdir(), "saylau-web-"));
  await buildWeb(webRoot);
  process.env.SAYLAU_WEB_ROOT = webRoot;
  const env = await apiElection({
    voters: WEB_VOTERS,
    regions: WEB_REGIONS,
    scopes: WEB_SCOPES,
    ...(options.closesAt === undefined
      ? {}
      : {
          schedule: {
            opensAt: FIXTURE_CREATED_AT,
            closesAt: options.closesAt,
            timeZone: "Asia/Almaty",
          },
        }),
  });
  const nodes = await startAll(env);
  const { setup } = env;
  await submit(nodes, approvalTx(setup));
  await until("approval", () => nodes.every((n) => n.replica.tip.state.phase !== "setup"));
  for (const [i, tx] of registrationTxs(setup).entries()) await submit(nodes, tx, i + 1);
  await until("registration", () =>
    nodes.every((n) => n.replica.tip.state.credentials === setup.voters.length),
  );
  const n = nodes.length;
  const urls = nodes.map((_, i) => `http://127.0.0.1:${env.ports[n + i]}`);
  return {
    env,
    nodes,
    urls,
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      env.cleanup();
      rmSync(webRoot, { recursive: true, force: true });
    },
  };
}
