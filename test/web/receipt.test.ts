/**
 * The receipt page in real Chromium against four validators: a genuine receipt verified
 * with a second node's consistency proof; a tampered receipt, a node that lies about its
 * head and a wrong manifest each shown as a failure in plain words; a saved receipt
 * verified offline; axe-core on the page in all three languages.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../src/crypto/bytes.ts";
import { trackingCode } from "../../src/election/tracking-code.ts";
import { decodeBlock, encodeBlock } from "../../src/ledger/block.ts";
import { txId } from "../../src/ledger/transactions.ts";
import { ballotTx } from "../../src/ledger/tx-builders.ts";
import type { BlockView, ReceiptView } from "../../src/node/api/service.ts";
import { decodeReceipt, encodeReceipt } from "../../src/receipt/receipt.ts";
import { postTx, until } from "../support/api-cluster.ts";
import { fixtureElection } from "../support/election-fixture.ts";
import { axeViolations, launch, runBrowserTests, screenshot } from "./browser.ts";
import { startWebCluster, voterIn, type WebCluster } from "./cluster.ts";

describe.skipIf(!runBrowserTests)("receipt page in Chromium", { timeout: 180_000 }, () => {
  let cluster: WebCluster;
  let browser: Browser;
  let code: string;
  let receiptBytes: Uint8Array;

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([startWebCluster(), launch()]);
    const { env, nodes } = cluster;
    // District 0's ballot: the mayor and the council.
    const tx = ballotTx(
      env.ctx,
      voterIn(env.setup, 0, 0),
      0,
      [
        [0, 1, 0],
        [1, 0, 0, 1],
      ],
      1,
    );
    const res = await postTx(nodes[0]!, "/v1/ballots", tx);
    expect(res.statusCode).toBe(202);
    const id = toHex(txId(tx));
    code = trackingCode(txId(tx));
    await until("ballot committed", async () => {
      const r = await nodes[1]!.api.inject({ url: `/v1/ballots/${id}/receipt` });
      if (r.statusCode !== 200) return false;
      receiptBytes = fromHex((JSON.parse(r.body) as ReceiptView).receipt);
      return true;
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.locator("h1").waitFor();
    expect(errors).toEqual([]);
    return page;
  }

  function stepState(page: Page, step: string) {
    return page.locator(`#verdict [data-step="${step}"]`).getAttribute("data-state");
  }

  it("verifies a genuine receipt fetched by tracking code, cross-checked with a second node", async () => {
    const [a, , c] = cluster.urls;
    const page = await open(
      `${a}/receipt.html?lang=en&code=${code}&against=${encodeURIComponent(c!)}`,
    );
    await page.locator("#verdict").waitFor({ timeout: 30_000 });
    expect(await page.locator("#verdict-title").textContent()).toBe("Your ballot is in the ledger");
    for (const step of [
      "decode",
      "election",
      "inclusion",
      "certificate",
      "consistency",
      "status",
    ]) {
      expect(await stepState(page, step), step).toBe("ok");
    }
    await expect
      .poll(() => page.locator("#verdict").textContent())
      .toContain("3 of the 4 election commissions");
    expect(await page.locator("#tracking-code").textContent()).toBe(code);
    expect(await page.locator("svg.qr").count()).toBe(1);
    await screenshot(page, "receipt-genuine-en");
    await page.close();
  });

  it("shows a tampered receipt as a failure in plain words (offline file check)", async () => {
    const receipt = decodeReceipt(receiptBytes);
    const path = receipt.auditPath.map((p) => Uint8Array.from(p));
    path[0]![0]! ^= 1;
    const tampered = encodeReceipt({ ...receipt, auditPath: path });
    const page = await open(`${cluster.urls[1]}/receipt.html?lang=en`);
    await page.setInputFiles("#receipt-file", {
      name: "r.cbor",
      mimeType: "application/cbor",
      buffer: Buffer.from(tampered),
    });
    await page.setInputFiles("#manifest-file", {
      name: "m.cbor",
      mimeType: "application/cbor",
      buffer: Buffer.from(cluster.env.setup.manifestBytes),
    });
    await page.click("#file-form button[type=submit]");
    await page.locator("#verdict").waitFor();
    expect(await page.locator("#verdict-title").textContent()).toContain("FAILED");
    expect(await stepState(page, "inclusion")).toBe("failed");
    expect(await page.locator('#verdict [data-step="inclusion"]').textContent()).toContain(
      "The receipt was changed or is false",
    );
    await screenshot(page, "receipt-tampered-en");
    await page.close();
  });

  it("verifies a saved receipt offline, with no request to any node", async () => {
    const page = await open(`${cluster.urls[1]}/receipt.html?lang=ru`);
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.setInputFiles("#receipt-file", {
      name: "r.cbor",
      mimeType: "application/cbor",
      buffer: Buffer.from(receiptBytes),
    });
    await page.setInputFiles("#manifest-file", {
      name: "m.cbor",
      mimeType: "application/cbor",
      buffer: Buffer.from(cluster.env.setup.manifestBytes),
    });
    await page.click("#file-form button[type=submit]");
    await page.locator("#verdict").waitFor();
    expect(await page.locator("#verdict-title").textContent()).toBe("Ваш бюллетень есть в реестре");
    expect(await stepState(page, "certificate")).toBe("ok");
    expect(await stepState(page, "consistency")).toBe("skipped");
    expect(requests).toEqual([]);
    await page.close();
  });

  it("shows a wrong manifest as a failure in plain words", async () => {
    const other = fixtureElection({ seed: "another election" }).setup.manifestBytes;
    const page = await open(`${cluster.urls[2]}/receipt.html?lang=kk`);
    await page.setInputFiles("#receipt-file", {
      name: "r.cbor",
      mimeType: "application/cbor",
      buffer: Buffer.from(receiptBytes),
    });
    await page.setInputFiles("#manifest-file", {
      name: "m.cbor",
      mimeType: "application/cbor",
      buffer: Buffer.from(other),
    });
    await page.click("#file-form button[type=submit]");
    await page.locator("#verdict").waitFor();
    expect(await page.locator("#verdict-title").textContent()).toBe(
      "Тексеруден ӨТПЕДІ: бұл жауапқа сенбеңіз",
    );
    expect(await stepState(page, "election")).toBe("failed");
    await screenshot(page, "receipt-wrong-manifest-kk");
    await page.close();
  });

  it("shows a second node that lies about its head as a failure in plain words", async () => {
    const [a, , , d] = cluster.urls;
    const page = await browser.newPage();
    // Node d answers with a head block whose log root was rewritten (its certificate kept).
    await page.route(`${d}/v1/blocks/*`, async (route) => {
      const response = await route.fetch();
      const view = (await response.json()) as BlockView;
      const block = decodeBlock(fromHex(view.block));
      const root = Uint8Array.from(block.header.logRoot);
      root[0]! ^= 0xff;
      const forged = encodeBlock({ ...block, header: { ...block.header, logRoot: root } });
      await route.fulfill({ response, json: { ...view, block: toHex(forged) } });
    });
    await page.goto(`${a}/receipt.html?lang=en&code=${code}&against=${encodeURIComponent(d!)}`);
    await page.locator("#verdict").waitFor({ timeout: 30_000 });
    expect(await page.locator("#verdict-title").textContent()).toContain("FAILED");
    expect(await stepState(page, "inclusion")).toBe("ok");
    expect(await stepState(page, "consistency")).toBe("failed");
    expect(await page.locator('#verdict [data-step="consistency"]').textContent()).toContain(
      "One of the computers is not telling the truth",
    );
    await screenshot(page, "receipt-lying-node-en");
    await page.close();
  });

  it("says in plain words when a later ballot of the same voter replaced this one", async () => {
    const { env, nodes } = cluster;
    // District 2's ballot (Astana-1): the mayor only.
    const voter = voterIn(env.setup, 2, 0);
    const first = ballotTx(env.ctx, voter, 2, [[1, 0, 0]], 1);
    const later = ballotTx(env.ctx, voter, 2, [[0, 0, 1]], 2);
    const status = async (tx: Uint8Array) =>
      JSON.parse((await nodes[2]!.api.inject({ url: `/v1/ballots/${toHex(txId(tx))}` })).body);
    expect((await postTx(nodes[0]!, "/v1/ballots", first)).statusCode).toBe(202);
    await until("first committed", async () => (await status(first)).status === "committed");
    expect((await status(first)).replacedBy).toBeUndefined();
    expect((await postTx(nodes[0]!, "/v1/ballots", later)).statusCode).toBe(202);
    await until("later committed", async () => (await status(later)).status === "committed");
    expect((await status(first)).replacedBy).toBe(toHex(txId(later)));
    expect((await status(later)).replacedBy).toBeUndefined();

    const page = await open(
      `${cluster.urls[2]}/receipt.html?lang=en&code=${trackingCode(txId(first))}`,
    );
    await page.locator("#verdict").waitFor({ timeout: 30_000 });
    expect(await stepState(page, "inclusion")).toBe("ok");
    expect(await stepState(page, "status")).toBe("failed");
    const text = await page.locator('#verdict [data-step="status"]').textContent();
    expect(text).toContain("no longer counts");
    expect(text).toContain(trackingCode(txId(later)));
    await screenshot(page, "receipt-replaced-en");
    await page.close();
  });

  it("has no axe-core violations in any language, with a verdict shown", async () => {
    for (const lang of ["kk", "ru", "en"]) {
      const page = await open(`${cluster.urls[0]}/receipt.html?lang=${lang}&code=${code}`);
      await page.locator("#verdict").waitFor({ timeout: 30_000 });
      expect(await page.evaluate("document.documentElement.lang")).toBe(lang);
      expect(await axeViolations(page), lang).toEqual([]);
      await page.close();
    }
  });
});
