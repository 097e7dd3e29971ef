/**
 * Every party's secrets stay in that party's own directory: runs the demo on its smallest
 * election and scans its whole data directory (the validators' stores and logs, the public
 * bulletin and the exported record included). It fails if any directory or file holds
 * secrets of more than one party, or a party's secret outside that party's directory, or a
 * party directory holds no secret of its role. How secrets are recognised (key file names
 * per role, each secret's raw bytes, hex of either case and base64 searched in every file)
 * is written at the top of test/support/party-secrets.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runDemo } from "../../src/cli/commands/demo.ts";
import { scanPartySecrets } from "../support/party-secrets.ts";

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "saylau-e2e-secrets-"));
  process.env.SAYLAU_LOG_LEVEL = "warn";
});

afterAll(() => {
  if (process.env.SAYLAU_E2E_KEEP) process.stderr.write(`e2e data kept in ${root}\n`);
  else rmSync(root, { recursive: true, force: true });
});

describe("the demo's data directory", () => {
  it("holds each party's secrets in that party's own directory only", async () => {
    const demoDir = join(root, "demo");
    let stdout = "";
    const out = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
      stdout += `${a.join(" ")}\n`;
    });
    let code: number;
    try {
      code = await runDemo(["--dir", demoDir, "--voters", "6", "--concurrency", "4"]);
    } finally {
      out.mockRestore();
    }
    expect(code, stdout).toBe(0);

    const scan = scanPartySecrets(demoDir);
    expect(scan.violations).toEqual([]);
    const roles = scan.parties.map((p) => p.id.split("/")[0]);
    const count = (role: string) => roles.filter((r) => r === role).length;
    expect(["commission", "registrars", "validators", "trustees", "voters"].map(count)).toEqual([
      3, 3, 4, 3, 6,
    ]);
    // Every party's secret was found where it belongs, so the search can see them.
    expect(scan.parties.every((p) => p.secrets.length > 0)).toBe(true);
    expect(scan.filesScanned).toBeGreaterThan(60);
  }, 900_000);
});
