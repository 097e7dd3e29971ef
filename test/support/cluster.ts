/** An election directory on free loopback ports, and in-process validators started from it. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { writeElectionDirectory } from "../../src/cli/election-dir.ts";
import { loadConfig, type NodeConfig } from "../../src/node/config.ts";
import { ValidatorNode } from "../../src/node/validator-node.ts";
import { fixtureElection } from "./election-fixture.ts";
import { freePorts } from "./ports.ts";

export async function electionDirectory(options: Parameters<typeof fixtureElection>[0] = {}) {
  const { setup, ctx } = fixtureElection(options);
  const dir = mkdtempSync(join(tmpdir(), "saylau-election-"));
  const n = setup.validators.length;
  // Free ports are scattered, while the directory's configs use base + index: the tests
  // override each node's ports through the environment instead (as an operator may).
  const ports = await freePorts(2 * n);
  writeElectionDirectory(dir, setup, { host: "127.0.0.1", p2pBase: 17000, httpBase: 18000 });
  return { dir, setup, ctx, ports, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startNode(
  dir: string,
  index: number,
  ports: number[],
  count: number,
  extraEnv: Record<string, string> = {},
  overrides: Partial<NodeConfig> = {},
  logger: Logger = pino({ level: process.env.SAYLAU_TEST_LOG ?? "silent" }),
) {
  const env = {
    SAYLAU_P2P_LISTEN: `/ip4/127.0.0.1/tcp/${ports[index]}`,
    SAYLAU_HTTP_PORT: String(ports[count + index]),
    SAYLAU_PEERS: Array.from({ length: count }, (_, i) => i)
      .filter((i) => i !== index)
      .map((i) => `${i}=/ip4/127.0.0.1/tcp/${ports[i]}`)
      .join(","),
    ...extraEnv,
  };
  const config = loadConfig(join(dir, "validators", String(index), "config.json"), env);
  // In-process validators share the test's event loop, whose own work (encrypting ballots)
  // would count as theirs: shedding on its utilization is left to real processes.
  return ValidatorNode.start(
    { ...config, consensusTimeoutMs: 500, overloadEventLoopPercent: 0, ...overrides },
    { logger },
  );
}

/** Waits until `condition` holds, polling every 25 ms; fails naming `what` after `ms`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
