/**
 * The observer board in real Chromium after a small national election is decrypted: all
 * four validators with their heights, blocks, turnout, every district's standing (a revoked
 * key in the counts, a district without ballots decided at zero), and the results per
 * district, per region and in total, each decrypted district's proofs verified in the
 * page's Web Worker; a forged district count shown as such; axe in every language; the
 * language switch remembered; 320 px wide and 200% text without sideways scrolling;
 * equivocation evidence checked on the page, a forged item refused.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fromHex, toHex } from "../../src/crypto/bytes.ts";
import { decodeTally } from "../../src/election/tally.ts";
import { ballotTx, decryptionTx, revokeTx } from "../../src/ledger/tx-builders.ts";
import type { ResultsView, TallyView } from "../../src/node/api/service.ts";
import { until } from "../support/api-cluster.ts";
import { signedEvidence, tamperedEvidence } from "../support/evidence.ts";
import { axeViolations, launch, runBrowserTests, screenshot } from "./browser.ts";
import { startWebCluster, submit, voterIn, type WebCluster } from "./cluster.ts";

/**
 * The polls close this long after the test starts: ample for the cluster to start and take
 * the ballots on a loaded machine. The test does not wait for it: once the ballots are in,
 * it moves the validators' clock (they run in this process) past the close.
 */
const VOTING_MS = 5 * 60_000;

describe.skipIf(!runBrowserTests)("observer board in Chromium", { timeout: 180_000 }, () => {
  let cluster: WebCluster;
  let browser: Browser;

  beforeAll(async () => {
    const closesAt = Date.now() + VOTING_MS;
    [cluster, browser] = await Promise.all([startWebCluster({ closesAt }), launch()]);
    const { env, nodes } = cluster;
    const { setup, ctx } = env;
    // Almaty-1 (mayor, council): two voters; Almaty-2 (mayor): one voter who stays, one whose
    // key is revoked after voting; Astana-1: nobody votes.
    const ballots = [
      ballotTx(
        ctx,
        voterIn(setup, 0, 0),
        0,
        [
          [0, 1, 0],
          [1, 0, 0, 1],
        ],
        1,
      ),
      ballotTx(
        ctx,
        voterIn(setup, 0, 1),
        0,
        [
          [0, 1, 0],
          [0, 0, 1, 0],
        ],
        1,
      ),
      ballotTx(ctx, voterIn(setup, 1, 0), 1, [[1, 0, 0]], 1),
      ballotTx(ctx, voterIn(setup, 1, 1), 1, [[0, 0, 1]], 1),
    ];
    for (const [i, tx] of ballots.entries()) await submit(nodes, tx, i);
    await until("ballots committed", () => nodes.every((n) => n.replica.tip.state.ballots === 4));
    await submit(
      nodes,
      revokeTx(setup.electionId, setup.registrars[0]!, 0, [voterIn(setup, 1, 1).publicKey]),
    );
    await until("revoked", () => nodes.every((n) => n.replica.tip.state.revoked === 1));
    if (Date.now() >= closesAt) throw new Error("the polls closed before the ballots were in");
    // Block times and the validators' checks read Date.now(): jump it past the close and let
    // it run on from there (timers stay real).
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    vi.setSystemTime(closesAt + 1000);
    // The tallies are final: the validators refuse ballots after closesAt by their clocks.
    const view = JSON.parse((await nodes[0]!.api.inject({ url: "/v1/tally" })).body) as TallyView;
    for (const district of [0, 1]) {
      const tally = decodeTally(
        ctx.districtCrypto[district]!,
        fromHex(view.districts[district]!.tally),
      );
      for (const t of [setup.trustees[0]!, setup.trustees[2]!]) {
        await submit(nodes, decryptionTx(ctx, t, district, tally), 1);
      }
    }
    await until("results decrypted", async () => {
      const r = JSON.parse(
        (await nodes[2]!.api.inject({ url: "/v1/results" })).body,
      ) as ResultsView;
      return r.complete;
    });
  }, 150_000);

  afterAll(async () => {
    vi.useRealTimers();
    await browser?.close();
    await cluster?.stop();
  });

  async function openBoard(lang: string, width = 1000): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const others = cluster.urls.slice(1).map(encodeURIComponent).join(",");
    await page.goto(`${cluster.urls[0]}/board.html?lang=${lang}&nodes=${others}`);
    await page.locator('#proof-status[data-ok="true"]').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.locator("#validators-title + .table-wrap tbody tr").count())
      .toBe(4);
    return page;
  }

  it("shows every validator, the turnout and the verified result, in each language, with no axe violations", async () => {
    for (const lang of ["kk", "ru", "en"]) {
      const page = await openBoard(lang);
      const rows = await page.locator("#validators-title + .table-wrap tbody tr").allTextContents();
      expect(rows.join("\n")).not.toContain("?");
      if (lang === "en") {
        // Every node's /healthz is read, this one's and (with its CORS header) the others'.
        for (const row of rows) expect(row).toMatch(/working$/);
        expect(rows.join("\n")).not.toContain("not working");
      }
      expect(await page.evaluate("document.documentElement.lang")).toBe(lang);
      expect(await axeViolations(page), lang).toEqual([]);
      if (lang === "en") {
        // 15 keys, one revoked; its ballot left the count.
        expect(await page.locator("#turnout-summary").textContent()).toBe(
          "3 voters of 14 have voted (21.4%).",
        );
        expect(await page.locator("#results-summary").textContent()).toBe(
          "Voter keys registered: 15, of which revoked: 1. Voters whose ballot counts: 3. Ballots received: 4.",
        );
        // Two trustees' shares for each of the two districts with ballots.
        expect(await page.locator("#proof-status").textContent()).toContain(
          "decryption proofs of 4 trustees are valid",
        );
        const rows = await page.locator("#districts-table tbody tr").allTextContents();
        expect(rows).toEqual([
          "Almaty-1Almaty502decrypted (trustees 1, 3)",
          "Almaty-2Almaty511decrypted (trustees 1, 3)",
          "Astana-1Astana500no ballots: all counts are zero",
        ]);
        // The mayor: per district, per region and in total; the council: Almaty-1 only.
        const cells = async (id: string) =>
          (await page.locator(`#${id} tbody tr`).allTextContents()).join(" | ");
        expect(await cells("contest-0-districts")).toBe("Almaty-1020 | Almaty-2100 | Astana-1000");
        expect(await cells("contest-0-regions")).toBe("Almaty120 | Astana000");
        expect(await page.locator("#contest-0-total").textContent()).toContain("Bauyrzhan");
        expect(await cells("contest-1-districts")).toBe("Almaty-11011");
        expect(await page.locator("#contest-1-regions").count()).toBe(0);
        expect(await page.locator("#results-complete").textContent()).toContain("final results");
      }
      if (lang === "ru") {
        expect(await page.locator("#turnout-summary").textContent()).toBe(
          "Проголосовали 3 избирателя из 14 (21,4\u00a0%).",
        );
      }
      await screenshot(page, `board-${lang}`);
      await page.close();
    }
  });

  it("says so when a node reports a district count the decryption proofs do not give", async () => {
    const page = await browser.newPage();
    await page.route(`${cluster.urls[0]}/v1/results`, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as ResultsView;
      // Five more votes for the council's first option in Almaty-1.
      const contests = body.contests.map((c) =>
        c.index === 1
          ? {
              ...c,
              districts: c.districts.map((d) => ({
                ...d,
                counts: d.counts!.map((v, j) => (j === 0 ? v + 5 : v)),
              })),
            }
          : c,
      );
      await route.fulfill({ response, json: { ...body, contests } });
    });
    await page.goto(`${cluster.urls[0]}/board.html?lang=en`);
    await page.locator('#proof-status[data-ok="false"]').waitFor({ timeout: 60_000 });
    expect(await page.locator("#proof-status").textContent()).toContain("other numbers");
    // The board keeps polling: its routed requests must not outlive the page.
    await page.unrouteAll({ behavior: "ignoreErrors" });
    await page.close();
  });

  it("lists a validator's equivocation after checking it on the page, and refuses a forged one", async () => {
    const { setup } = cluster.env;
    const proof = signedEvidence(setup.validators[3]!.seed, setup.electionId, 3, {
      height: 2,
      view: 0,
      phase: "commit",
    });
    expect((await cluster.nodes[0]!.evidence.pool.offer(proof.bytes)).outcome).toBe("new");
    const page = await openBoard("en");
    const list = page.locator("#evidence-title + ul li");
    await expect.poll(() => list.count()).toBe(1);
    const name = setup.manifest.validators[3]!.name;
    expect(await list.first().textContent()).toBe(
      `${name} signed two different commit messages for block 2 (round 0). Checked on this device: both signatures are really theirs.`,
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.close();

    // A node that serves evidence whose height was changed after signing: not believed.
    const [, forged] = tamperedEvidence(proof, 4).find(([why]) => why === "another height")!;
    const lying = await browser.newPage();
    await lying.route(`${cluster.urls[0]}/v1/evidence`, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { evidence: { evidence: string }[] };
      const evidence = body.evidence.map((e) => ({ ...e, evidence: toHex(forged) }));
      await route.fulfill({ response, json: { ...body, evidence } });
    });
    await lying.goto(`${cluster.urls[0]}/board.html?lang=en`);
    const lyingList = lying.locator("#evidence-title + ul li");
    await expect.poll(() => lyingList.count(), { timeout: 60_000 }).toBe(1);
    expect(await lyingList.first().textContent()).toContain("does not check out");
    // The board keeps polling: its routed requests must not outlive the page.
    await lying.unrouteAll({ behavior: "ignoreErrors" });
    await lying.close();
  });

  it("remembers the language chosen with the switch", async () => {
    const page = await browser.newPage();
    await page.goto(`${cluster.urls[0]}/receipt.html?lang=en`);
    await page.locator("h1").waitFor();
    await page.click('.langs button[lang="ru"]');
    await expect.poll(() => page.locator("h1").textContent()).toBe("Проверить мой голос");
    expect(await page.evaluate("document.documentElement.lang")).toBe("ru");
    await page.goto(`${cluster.urls[0]}/index.html`);
    await page.locator("h1").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Вход для голосования");
    await page.close();
  });

  it("fits 320 px and 200% text without sideways scrolling", async () => {
    for (const file of ["index.html", "receipt.html", "board.html"]) {
      for (const zoom of ["100%", "200%"]) {
        const page = await browser.newPage({
          viewport: { width: zoom === "100%" ? 320 : 640, height: 800 },
        });
        await page.goto(`${cluster.urls[0]}/${file}?lang=kk`);
        await page.locator("h1").waitFor();
        await page.evaluate(`document.documentElement.style.fontSize = ${JSON.stringify(zoom)}`);
        await page.waitForTimeout(2500);
        const overflow = (await page.evaluate(
          "document.documentElement.scrollWidth - document.documentElement.clientWidth",
        )) as number;
        expect(overflow, `${file} at ${zoom}`).toBeLessThanOrEqual(0);
        if (zoom === "100%") await screenshot(page, `narrow-320-${file.replace(".html", "")}`);
        await page.close();
      }
    }
  });
});
