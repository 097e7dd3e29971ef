/**
 * The schedule on a running validator, with the real clock: admission refuses what the
 * clock's phase does not allow, another region's registrar is named at admission, and
 * once the polls close by the clock (no transaction closes them) the trustees decrypt each
 * district and the API shows the results per district, region and in total. One validator
 * per election (a quorum of one), in process, so blocks commit at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../../src/crypto/ed25519.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { emptyTally } from "../../../src/ledger/ballot-crypto.ts";
import type { RegionInput } from "../../../src/ledger/election-setup.ts";
import { ballotTx, decryptionTx, registerTx, revokeTx } from "../../../src/ledger/tx-builders.ts";
import type { ValidatorNode } from "../../../src/node/validator-node.ts";
import {
  apiElection,
  type ElectionEnv,
  expectErrorShape,
  postTx,
  startAll,
  until,
} from "../../support/api-cluster.ts";
import { approvalTx, registrationTxs } from "../../support/election-fixture.ts";

const REGIONS: RegionInput[] = [
  { id: "R1", name: "Region 1", districts: [{ id: "D1", name: "District 1" }] },
  { id: "R2", name: "Region 2", districts: [{ id: "D2", name: "District 2" }] },
];
/**
 * Time from writing the manifest to the close: the validator starts, the commission
 * approves, the registrars register and four ballots commit, all on one in-process
 * validator. About 3 s unloaded; the margin is for a loaded 2-core machine.
 */
const VOTING_MS = 30_000;

/** Voter i's choices: mayor i % 3, council i % 4 and (i + 1) % 4. */
const choice = (i: number): number[][] => [
  [0, 1, 2].map((j) => (j === i % 3 ? 1 : 0)),
  [0, 1, 2, 3].map((j) => (j === i % 4 || j === (i + 1) % 4 ? 1 : 0)),
];

let later: ElectionEnv;
let soon: ElectionEnv;
let laterNode: ValidatorNode;
let soonNode: ValidatorNode;

async function approveAndRegister(env: ElectionEnv, node: ValidatorNode): Promise<void> {
  expect((await postTx(node, "/v1/transactions", approvalTx(env.setup))).statusCode).toBe(202);
  await until("approval", () => node.replica.tip.state.phase !== "setup");
  for (const tx of registrationTxs(env.setup)) {
    expect((await postTx(node, "/v1/transactions", tx)).statusCode).toBe(202);
  }
  await until("registration", () => node.replica.tip.state.credentials === env.setup.voters.length);
}

beforeAll(async () => {
  const now = Date.now();
  [later, soon] = await Promise.all([
    // Polls open in an hour: the admission tests run before they open.
    apiElection({
      validators: 1,
      voters: 2,
      seed: "schedule-later",
      regions: REGIONS,
      schedule: { opensAt: now + 3_600_000, closesAt: now + 7_200_000, timeZone: "UTC" },
    }),
    // Polls open now and close VOTING_MS from now.
    apiElection({
      validators: 1,
      voters: 4,
      seed: "schedule-soon",
      regions: REGIONS,
      schedule: { opensAt: now - 1000, closesAt: now + VOTING_MS, timeZone: "UTC" },
    }),
  ]);
  const [laterNodes, soonNodes] = await Promise.all([startAll(later), startAll(soon)]);
  laterNode = laterNodes[0]!;
  soonNode = soonNodes[0]!;
  await Promise.all([approveAndRegister(later, laterNode), approveAndRegister(soon, soonNode)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([laterNode?.stop(), soonNode?.stop()]);
  later?.cleanup();
  soon?.cleanup();
});

describe("admission before the polls open", () => {
  it("is in the registration phase once approved", () => {
    expect(laterNode.replica.tip.state).toMatchObject({ phase: "registration", credentials: 2 });
  });

  it("refuses a ballot with 409 ledger/outside_window", async () => {
    const { setup, ctx } = later;
    const res = await postTx(
      laterNode,
      "/v1/ballots",
      ballotTx(ctx, setup.voters[0]!, setup.voterDistricts[0]!, choice(0), 1),
    );
    expectErrorShape(res, 409, "ledger/outside_window");
  });

  it("refuses a decryption with 409 ledger/wrong_phase", async () => {
    const { setup, ctx } = later;
    const share = decryptionTx(ctx, setup.trustees[0]!, 0, emptyTally(ctx.districtCrypto[0]!));
    expectErrorShape(await postTx(laterNode, "/v1/transactions", share), 409, "ledger/wrong_phase");
  });

  it("refuses a registration or revocation by another region's registrar with 422 ledger/wrong_registrar", async () => {
    const { setup } = later;
    const fresh = keyPairFromSeed(sha256(utf8("schedule/fresh"))).publicKey;
    // District 1 is region 1's; region 0's registrar signs.
    const register = registerTx(setup.electionId, setup.registrars[0]!, 1, [fresh]);
    expectErrorShape(
      await postTx(laterNode, "/v1/transactions", register),
      422,
      "ledger/wrong_registrar",
    );
    const revoke = revokeTx(setup.electionId, setup.registrars[0]!, 1, [
      setup.voters[1]!.publicKey,
    ]);
    expectErrorShape(
      await postTx(laterNode, "/v1/transactions", revoke),
      422,
      "ledger/wrong_registrar",
    );
    // The right registrar is admitted.
    const own = registerTx(setup.electionId, setup.registrars[1]!, 1, [fresh]);
    expect((await postTx(laterNode, "/v1/transactions", own)).statusCode).toBe(202);
  });
});

describe("polls that close by the clock", () => {
  it("take ballots while open, then the trustees decrypt each district and the results add up", async () => {
    const { setup, ctx } = soon;
    const { closesAt } = setup.manifest.schedule;
    const ballots = setup.voters.map((v, i) =>
      ballotTx(ctx, v, setup.voterDistricts[i]!, choice(i), 1),
    );
    for (const b of ballots) {
      expect((await postTx(soonNode, "/v1/ballots", b)).statusCode).toBe(202);
    }
    await until("ballots committed", () => soonNode.replica.tip.state.ballots === 4);
    if (Date.now() >= closesAt - 1000) {
      throw new Error(`voting took longer than the ${VOTING_MS} ms the schedule allows`);
    }
    // Nothing is submitted until the close: the tip stays "open", the clock moves on.
    await until("the polls' closing time", () => Date.now() >= closesAt, VOTING_MS + 5000);
    expect(soonNode.replica.tip.state.phase).toBe("open");
    const late = ballotTx(ctx, setup.voters[0]!, setup.voterDistricts[0]!, choice(1), 2);
    expectErrorShape(await postTx(soonNode, "/v1/ballots", late), 409, "ledger/outside_window");

    // Trustees 1 and 2 (threshold 2) decrypt both districts.
    const tallies = soonNode.replica.tip.state.districts.map((d) => d.tally);
    for (const trustee of [setup.trustees[0]!, setup.trustees[1]!]) {
      for (const [district, tally] of tallies.entries()) {
        const res = await postTx(
          soonNode,
          "/v1/transactions",
          decryptionTx(ctx, trustee, district, tally),
        );
        expect(res.statusCode, res.body).toBe(202);
      }
    }
    await until("both districts decrypted", () =>
      soonNode.replica.tip.state.districts.every((d) => d.result !== null),
    );

    // Voters 0 and 2 are in D1 (R1), voters 1 and 3 in D2 (R2).
    const sum = (voters: number[], contest: number) =>
      voters.map((i) => choice(i)[contest]!).reduce((a, row) => a.map((v, j) => v + row[j]!));
    const results = (await soonNode.api.inject({ method: "GET", url: "/v1/results" })).json();
    expect(results).toMatchObject({ phase: "closed", ballots: 4, voters: 4, complete: true });
    expect(results.districts.map((d: { decryptions: number[] }) => d.decryptions)).toEqual([
      [1, 2],
      [1, 2],
    ]);
    for (const contest of [0, 1]) {
      expect(results.contests[contest]).toMatchObject({
        scope: { level: "national", id: "national" },
        districts: [
          { id: "D1", counts: sum([0, 2], contest) },
          { id: "D2", counts: sum([1, 3], contest) },
        ],
        regions: [
          { id: "R1", counts: sum([0, 2], contest) },
          { id: "R2", counts: sum([1, 3], contest) },
        ],
        total: sum([0, 1, 2, 3], contest),
      });
    }
    const tally = (await soonNode.api.inject({ method: "GET", url: "/v1/tally" })).json();
    expect(tally).toMatchObject({ phase: "closed", closesAt });
    expect(
      tally.districts.map((d: Record<string, unknown>) => [d.id, d.ballotCount, d.decrypted]),
    ).toEqual([
      ["D1", 2, true],
      ["D2", 2, true],
    ]);
    const credential = await soonNode.api.inject({
      method: "GET",
      url: `/v1/credentials/${toHex(setup.voters[3]!.publicKey)}`,
    });
    expect(credential.json()).toMatchObject({
      district: 1,
      districtId: "D2",
      region: "R2",
      revoked: false,
      seq: 1,
    });
  }, 90_000);
});
