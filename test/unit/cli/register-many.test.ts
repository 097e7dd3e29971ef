/**
 * `saylau voters register` splits a roll of several thousand voters into register
 * transactions that each fit the transaction limit, and four validators commit all of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commissionDecide,
  registerVoters,
} from "../../../src/cli/commands/test-election-parties.ts";
import { MAX_CREDENTIALS_PER_REGISTER } from "../../../src/ledger/limits.ts";
import type { ValidatorNode } from "../../../src/node/validator-node.ts";
import { electionDirectory, startNode, until } from "../../support/cluster.ts";

const VOTERS = 4500;
let env: Awaited<ReturnType<typeof electionDirectory>>;
let nodes: ValidatorNode[] = [];

beforeAll(async () => {
  env = await electionDirectory({ voters: VOTERS, seed: "register-many" });
  nodes = await Promise.all([0, 1, 2, 3].map((i) => startNode(env.dir, i, env.ports, 4)));
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  env.cleanup();
});

describe("voters register", () => {
  it(`registers ${VOTERS} voters, more than one transaction holds`, async () => {
    expect(VOTERS).toBeGreaterThan(2 * MAX_CREDENTIALS_PER_REGISTER);
    // Registrations are accepted once the commission has approved the manifest.
    await commissionDecide(env.dir, nodes[0]!.httpUrl, "approve");
    expect(await registerVoters(env.dir, nodes[0]!.httpUrl)).toBe(VOTERS);
    await until("all credentials everywhere", () =>
      nodes.every((n) => n.replica.tip.state.credentials === VOTERS),
    );
  });
});
