/**
 * The demo as a test (tracker issue 6): `saylau demo` end to end on a small election with
 * every party its own process and directory, then `saylau audit` of its export through the
 * CLI entry point, and the same audit failing once one byte of an exported block is
 * changed. runDemo itself exits non-zero when any district's tally differs from the ballots
 * cast, a receipt does not verify, the validators disagree, its own audit fails or the
 * commission did not extend the polls, so exit code 0 covers all of those. The record holds
 * the commission's approval and extension, each with 2 of the 3 members' signatures.
 * The same run's data directory is then scanned for secrets out of place: every party's
 * secrets must stay in that party's own directory (test/support/party-secrets.ts says how
 * secrets are recognised: key file names per role, each secret's raw bytes, hex of either
 * case and base64 searched in every file).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runDemo } from "../../src/cli/commands/demo.ts";
import { main } from "../../src/cli/main.ts";
import { decodeBlock } from "../../src/ledger/block.ts";
import { decodeTransaction } from "../../src/ledger/transactions.ts";
import { scanPartySecrets } from "../support/party-secrets.ts";

let root: string;
let demoDir: string;

/** Runs the CLI in this process, returning its exit code and what it wrote to stdout. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return { code: await main(argv), stdout };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "saylau-e2e-demo-"));
  // Not created yet: the demo refuses an existing directory that it did not make itself.
  demoDir = join(root, "demo");
  // The validators the demo starts inherit this environment: keep their logs short.
  process.env.SAYLAU_LOG_LEVEL = "warn";
});

afterAll(() => {
  if (process.env.SAYLAU_E2E_KEEP) process.stderr.write(`e2e data kept in ${root}\n`);
  else rmSync(root, { recursive: true, force: true });
});

describe("saylau demo", () => {
  it("runs a whole small election end to end and exits 0", async () => {
    // The demo stops its validators in its own finally, whatever happens.
    let stdout = "";
    const out = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
      stdout += `${a.join(" ")}\n`;
    });
    let code: number;
    try {
      code = await runDemo(["--dir", demoDir, "--voters", "12", "--concurrency", "4"]);
    } finally {
      out.mockRestore();
    }
    expect(code, stdout).toBe(0);
    expect(stdout).toContain("The decrypted tally of every district matches the ballots cast.");
    expect(stdout).toMatch(/polls extended by the commission \(2 of 3\)/);
    // One row per district and contest on its ballot: 6 districts, 2 or 3 contests each.
    expect(stdout.match(/^(ALM|AST|SHY)-0[12] /gm)).toHaveLength(13);
  }, 900_000);

  it("holds each party's secrets in that party's own directory only", () => {
    const scan = scanPartySecrets(demoDir);
    expect(scan.violations).toEqual([]);
    const roles = scan.parties.map((p) => p.id.split("/")[0]);
    const count = (role: string) => roles.filter((r) => r === role).length;
    // 12 voters, and voter 0's replacement key in its own directory.
    expect(["commission", "registrars", "validators", "trustees", "voters"].map(count)).toEqual([
      3, 3, 4, 3, 13,
    ]);
    // Every party's secret was found where it belongs, so the search can see them.
    expect(scan.parties.every((p) => p.secrets.length > 0)).toBe(true);
    expect(scan.filesScanned).toBeGreaterThan(60);
  });

  it("put the lost credential's revocation and its replacement on the record", () => {
    const blocksDir = join(demoDir, "export", "blocks");
    const txs = readdirSync(blocksDir)
      .sort()
      .flatMap((f) => decodeBlock(new Uint8Array(readFileSync(join(blocksDir, f)))).txs)
      .map((tx) => decodeTransaction(tx));
    const revokes = txs.flatMap((tx) => (tx.type === "revoke" ? [tx] : []));
    expect(revokes).toHaveLength(1);
    expect(revokes[0]!.credentials).toHaveLength(1);
    const revoked = revokes[0]!.credentials[0]!;
    // The revoked key never votes; the replacement, registered after it, does.
    const ballotsBy = (key: Uint8Array) =>
      txs.filter(
        (tx) => tx.type === "ballot" && Buffer.from(tx.credential).equals(Buffer.from(key)),
      ).length;
    expect(ballotsBy(revoked)).toBe(0);
    const registers = txs.flatMap((tx) => (tx.type === "register" ? [tx] : []));
    const replacement = registers.at(-1)!.credentials;
    expect(replacement).toHaveLength(1);
    expect(ballotsBy(replacement[0]!)).toBeGreaterThan(0);
  });

  it("put the commission's approval and extension on the record, each signed by 2 of 3", () => {
    const blocksDir = join(demoDir, "export", "blocks");
    const decisions = readdirSync(blocksDir)
      .sort()
      .flatMap((f) => decodeBlock(new Uint8Array(readFileSync(join(blocksDir, f)))).txs)
      .map((tx) => decodeTransaction(tx))
      .flatMap((tx) => (tx.type === "commission" ? [tx] : []));
    expect(decisions.map((d) => d.action)).toEqual(["approve", "extend"]);
    expect(decisions.map((d) => d.signatures.map((s) => s.member))).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(decisions[1]!.closesAt).toBeGreaterThan(decisions[0]!.closesAt);
  });

  it("leaves an export that `saylau audit --dir` verifies, and fails once a block byte changes", async () => {
    const exportDir = join(demoDir, "export");
    const ok = await cli(["audit", "--dir", exportDir, "--json"]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { ok: boolean; phase: string; voters: number };
    expect(report).toMatchObject({ ok: true, phase: "closed", voters: 12 });

    // The largest block holds ballots; its last byte belongs to the header (CBOR map keys
    // sort length-first, so "txs" comes before "header"), which the certificate pins.
    const blocksDir = join(exportDir, "blocks");
    const files = readdirSync(blocksDir).sort(
      (a, b) => statSync(join(blocksDir, b)).size - statSync(join(blocksDir, a)).size,
    );
    const target = join(blocksDir, files[0]!);
    const height = Number(files[0]!.replace(".cbor", ""));
    const bytes = new Uint8Array(readFileSync(target));
    bytes[bytes.length - 1]! ^= 0x01;
    writeFileSync(target, bytes);

    const bad = await cli(["audit", "--dir", exportDir, "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, height });
  }, 120_000);
});
