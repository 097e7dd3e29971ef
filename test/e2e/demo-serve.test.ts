/**
 * `saylau demo --serve` as a real process: it keeps voters back with the polls open and
 * prints the web app's address, those voters' directories and keys, and when the polls
 * close; a ballot cast then with one of those keys (as the web app casts it, in the district
 * the ledger has the key registered to) is counted in that district once the polls close by
 * time and the trustees decrypt; after the result it serves the app and the demo's receipt,
 * and on SIGINT (Ctrl-C) stops the validators and exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildWeb } from "../../scripts/build-web.ts";
import { fromHex, toHex } from "../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../src/crypto/ed25519.ts";
import { ledgerContext } from "../../src/ledger/context.ts";
import { ballotTx } from "../../src/ledger/tx-builders.ts";
import type { CredentialView, ElectionView, ResultsView } from "../../src/node/api/service.ts";

const root = mkdtempSync(join(tmpdir(), "saylau-e2e-serve-"));
let child: ChildProcess | undefined;

afterAll(() => {
  // The demo runs in a process group of its own: a failed test kills its validators too.
  if (child?.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("saylau demo --serve", () => {
  it("keeps the polls open for the person at the web app, counts their ballot, and stops cleanly on Ctrl-C", async () => {
    const webRoot = join(root, "web");
    await buildWeb(webRoot);
    const proc = spawn(
      process.execPath,
      [
        "src/cli/main.ts",
        "demo",
        "--dir",
        join(root, "demo"),
        "--voters",
        "8",
        "--concurrency",
        "4",
        "--serve",
        "--open-for",
        "15",
      ],
      {
        env: { ...process.env, SAYLAU_WEB_ROOT: webRoot, SAYLAU_LOG_LEVEL: "warn" },
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
      },
    );
    child = proc;
    let stdout = "";
    proc.stdout!.on("data", (d) => {
      stdout += String(d);
    });
    let stderr = "";
    proc.stderr!.on("data", (d) => {
      stderr = (stderr + String(d)).slice(-4000);
    });
    const exited = new Promise<number | null>((resolve) =>
      proc.on("exit", (code) => resolve(code)),
    );

    const deadline = Date.now() + 1_150_000;
    const printed = async (text: string) => {
      while (!stdout.includes(text)) {
        if (Date.now() > deadline || proc.exitCode !== null) {
          throw new Error(`"${text}" not printed; stdout:\n${stdout}\nstderr:\n${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    // The polls are open for the person: 8 voters, 2 kept back, their directories and keys.
    await printed("The demo decrypts and audits once the polls close");
    const open = /the web app: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
    expect(open).toBeDefined();
    const keys = [...stdout.matchAll(/^ {4}([0-9a-f]{64})$/gm)].map((m) => m[1]!);
    expect(keys).toHaveLength(2);
    const dirs = [...stdout.matchAll(/^ {4}(\/\S+\/voters\/\d+)$/gm)].map((m) => m[1]!);
    expect(dirs).toHaveLength(2);
    const voter = keyPairFromSeed(fromHex(keys[0]!));
    const election = (await (await fetch(`${open}/v1/election`)).json()) as ElectionView;
    const ctx = ledgerContext(fromHex(election.manifest));
    const credential = (await (
      await fetch(`${open}/v1/credentials/${toHex(voter.publicKey)}`)
    ).json()) as CredentialView;
    // The party list's last option; every other contest on the ballot left blank.
    const style = ctx.geography.districts[credential.district]!.style;
    const choices = style.map((c) => {
      const options = ctx.manifest.election.contests[c]!.options.length;
      return Array.from({ length: options }, (_, o) => (c === 0 && o === options - 1 ? 1 : 0));
    });
    const tx = ballotTx(ctx, voter, credential.district, choices, 1);
    const cast = await fetch(`${open}/v1/ballots`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx: toHex(tx) }),
    });
    expect(cast.status, await cast.clone().text()).toBe(202);

    await printed("press Ctrl-C");
    expect(stdout).toContain("The decrypted tally of every district matches the ballots cast.");
    const url = /served by every validator: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
    expect(url).toBeDefined();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('src="vote.js"');
    // A tracking code's check character may be one of * ~ $ = U, so the link encodes it.
    const linked = /receipt\.html\?code=([^&\s]+)&/.exec(stdout)?.[1];
    expect(linked).toBeDefined();
    const code = decodeURIComponent(linked!);
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}-[0-9A-Z*~$=]$/);
    expect(code).toBeDefined();
    const receipt = await fetch(`${url}/v1/ballots/${encodeURIComponent(code)}/receipt`);
    expect(receipt.status, `${await receipt.clone().text()}\n${stdout}`).toBe(200);
    expect(receipt.headers.get("access-control-allow-origin")).toBe("*");

    const results = (await (await fetch(`${url}/v1/results`)).json()) as ResultsView;
    expect(results.voters).toBe(7);
    // The web app's ballot, in its district's row of the party list: 1 for the last option.
    const districtId = ctx.geography.districts[credential.district]!.id;
    expect(stdout).toMatch(
      new RegExp(`^${districtId} +Mazhilis, party list +[\\d ]+? {2,}[\\d ]+? {2,}0 0 0 0 1$`, "m"),
    );

    proc.kill("SIGINT");
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/v1/status`)).rejects.toThrow();
  }, 1_200_000);
});
