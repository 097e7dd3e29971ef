/**
 * Four in-process validators serving a fresh build of the web app over real HTTP on
 * loopback, with the fixture's voters registered and the polls open.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWeb } from "../../scripts/build-web.ts";
import type { ValidatorNode } from "../../src/node/validator-node.ts";
import {
  apiElection,
  type ElectionEnv,
  registerAndOpen,
  startAll,
} from "../support/api-cluster.ts";

export interface WebCluster {
  readonly env: ElectionEnv;
  readonly nodes: ValidatorNode[];
  readonly urls: string[];
  stop(): Promise<void>;
}

export async function startWebCluster(
  options: Parameters<typeof apiElection>[0] = {},
): Promise<WebCluster> {
  const webRoot = mkdtempSync(join(tmpdir(), "saylau-web-"));
  await buildWeb(webRoot);
  process.env.SAYLAU_WEB_ROOT = webRoot;
  const env = await apiElection(options);
  const nodes = await startAll(env);
  await registerAndOpen(env, nodes);
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
