/**
 * `saylau demo --serve` as a real process: after the demo it keeps the validators running,
 * prints the web app's address, serves the app and the demo's receipt there, and on SIGINT
 * (Ctrl-C) stops the validators and exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildWeb } from "../../scripts/build-web.ts";

const root = mkdtempSync(join(tmpdir(), "saylau-e2e-serve-"));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("saylau demo --serve", () => {
  it("serves the web app after the demo and stops cleanly on Ctrl-C", async () => {
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
      ],
      {
        env: { ...process.env, SAYLAU_WEB_ROOT: webRoot, SAYLAU_LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = proc;
    let stdout = "";
    proc.stdout!.on("data", (d) => {
      stdout += String(d);
    });
    proc.stderr!.resume();
    const exited = new Promise<number | null>((resolve) =>
      proc.on("exit", (code) => resolve(code)),
    );

    const deadline = Date.now() + 200_000;
    while (!stdout.includes("press Ctrl-C")) {
      if (Date.now() > deadline || proc.exitCode !== null) {
        throw new Error(`no web app address printed; stdout:\n${stdout}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const url = /served by every validator: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
    expect(url).toBeDefined();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('src="vote.js"');
    const code = /receipt\.html\?code=([0-9A-Z-]+)/.exec(stdout)?.[1];
    expect(code).toBeDefined();
    const receipt = await fetch(`${url}/v1/ballots/${code}/receipt`);
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get("access-control-allow-origin")).toBe("*");

    proc.kill("SIGINT");
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/v1/status`)).rejects.toThrow();
  }, 240_000);
});
