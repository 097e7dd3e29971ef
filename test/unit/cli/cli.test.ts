/**
 * The saylau command through main(): help on every command, usage errors (exit 2) a person
 * can act on, unreachable nodes (exit 3), `election init`'s files, `vote --choices`
 * parsing, and `receipt verify` on good, tampered, undecodable and missing files.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../../src/cli/main.ts";
import { decodeCertificate } from "../../../src/consensus/certificate.ts";
import { toHex } from "../../../src/crypto/bytes.ts";
import { sha256 } from "../../../src/crypto/hash.ts";
import { buildInclusionProof, rootOfLeafHashes } from "../../../src/crypto/merkle.ts";
import { decodeBlock } from "../../../src/ledger/block.ts";
import { decodeTransaction, txId } from "../../../src/ledger/transactions.ts";
import { encodeReceipt, type Receipt } from "../../../src/receipt/receipt.ts";
import { freePorts } from "../../support/ports.ts";
import { buildElection } from "../audit/record.ts";

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs `saylau ...args` in-process, capturing console and stdout/stderr writes. */
async function saylau(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    vi
      .spyOn(console, "log")
      .mockImplementation((...a: unknown[]) => void out.push(`${a.join(" ")}\n`)),
    vi
      .spyOn(console, "error")
      .mockImplementation((...a: unknown[]) => void err.push(`${a.join(" ")}\n`)),
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    }),
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    }),
  ];
  try {
    const code = await main(args);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

const COMMANDS = [
  "demo",
  "election",
  "node",
  "voters",
  "commission",
  "vote",
  "receipt",
  "trustee",
  "status",
  "audit",
  "export",
];

let tmp: string;
/** An election written by `saylau election init` (1-of-5 contest, 3 voters). */
let edir: string;
/** A loopback URL nothing listens on. */
let dead: string;
const SEED = toHex(sha256(new TextEncoder().encode("cli-test")));

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "saylau-cli-"));
  edir = join(tmp, "elec");
  const init = await saylau("election", "init", "--dir", edir, "--voters", "3", "--seed", SEED);
  if (init.code !== 0) throw new Error(`election init failed: ${init.err}`);
  const [port] = await freePorts(1);
  dead = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("help", () => {
  it.each(COMMANDS)("saylau %s --help prints usage and exits 0", async (name) => {
    for (const flag of ["--help", "-h"]) {
      const r = await saylau(name, flag);
      expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
      expect(r.out).toContain(`saylau ${name}`);
      expect(r.out.split("\n").length).toBeGreaterThan(2);
    }
  });

  it.each([
    ["election", "init"],
    ["node", "start"],
    ["voters", "register"],
    ["commission", "approve"],
    ["receipt", "verify"],
    ["receipt", "fetch"],
    ["trustee", "decrypt"],
  ])("saylau %s %s --help exits 0", async (name, sub) => {
    const r = await saylau(name, sub, "--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`saylau ${name}`);
  });

  it("saylau --help lists every command; saylau alone is a usage error", async () => {
    const help = await saylau("--help");
    expect(help.code).toBe(0);
    for (const name of COMMANDS) expect(help.out).toContain(`  ${name}`);
    expect((await saylau()).code).toBe(2);
  });
});

describe("usage errors exit 2 with a message to act on", () => {
  it("unknown command", async () => {
    const r = await saylau("frobnicate");
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
    expect(r.err).toContain("usage: saylau <command>");
  });

  it.each([
    [["status", "--node", "http://x", "--bogus"], "--bogus"],
    [["election", "init", "--dir", "x", "--colour", "red"], "--colour"],
    [["vote", "--voters", "3"], "--voters"],
    [["audit", "--dir", "x", "--fast"], "--fast"],
    [["export", "--node", "http://x", "--out", "y", "--zip"], "--zip"],
    [["receipt", "verify", "r.cbor", "--manifest", "m", "--strict"], "--strict"],
  ])("unknown flag: %j", async (args, flag) => {
    const r = await saylau(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(flag);
  });

  it.each([
    [["status"], "--node is required"],
    [["election", "init"], "--dir is required"],
    [["election", "create"], "saylau election init"],
    [["vote", "--dir", "x"], "--node is required"],
    [["voters", "register", "--node", "http://x"], "--dir is required"],
    [["commission", "approve", "--dir", "x"], "--node is required"],
    [["commission", "reopen", "--dir", "x", "--node", "http://x"], "approve or extend"],
    [
      ["commission", "extend", "--dir", "x", "--node", "http://x", "--closes-at", "soon"],
      "is not an ISO date-time",
    ],
    [["trustee", "decrypt", "--dir", "x", "--node", "http://x"], "--trustee is required"],
    [["receipt", "verify", "r.cbor"], "--manifest is required"],
    [["receipt", "verify", "--manifest", "m"], "needs an argument"],
    [["receipt", "fetch", "abc"], "--node is required"],
    [["node", "start"], "--config"],
    [["audit"], "--node URL or --dir"],
    [["export", "--node", "http://x"], "--out DIR"],
    [["election", "init", "--dir", "x", "--voters", "many"], "--voters must be an integer"],
    [["election", "init", "--dir", "x", "--contest", "Mayor"], "--contest must look like"],
  ])("missing or bad: %j", async (args, message) => {
    const r = await saylau(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(existsSync("x")).toBe(false);
  });

  // Regression: parameters that cannot make an election (threshold above the number of
  // trustees) once exited 1 ("failed") instead of 2 (usage error).
  it("election init --threshold above --trustees is a usage error", async () => {
    const dir = join(tmp, "bad-threshold");
    const r = await saylau(
      "election",
      "init",
      "--dir",
      dir,
      "--voters",
      "1",
      "--trustees",
      "2",
      "--threshold",
      "3",
    );
    expect(r.err).toContain("threshold");
    expect(r.code).toBe(2);
  });
});

describe("an unreachable node exits 3", () => {
  it.each([
    () => ["status", "--node", dead],
    () => ["commission", "approve", "--dir", edir, "--node", dead],
    () => ["voters", "register", "--dir", edir, "--node", dead],
    () => ["vote", "--dir", edir, "--voter", "0", "--choices", "2", "--node", dead],
    () => ["receipt", "fetch", "0".repeat(64), "--node", dead],
    () => ["trustee", "decrypt", "--dir", edir, "--trustee", "1", "--node", dead],
    () => ["audit", "--node", dead],
    () => ["export", "--node", dead, "--out", join(tmp, "export-dead")],
  ])("%#", async (args) => {
    const r = await saylau(...args());
    expect(r.code, r.err).toBe(3);
    expect(r.err).toContain("127.0.0.1");
  });
});

describe("election init", () => {
  it("writes the documented files, secrets with mode 0600", () => {
    const election = JSON.parse(readFileSync(join(edir, "election.json"), "utf8"));
    expect(election).toMatchObject({ validators: 4, trustees: 3, threshold: 2, voters: 3 });
    expect(election.electionId).toMatch(/^[0-9a-f]{64}$/);
    expect(election.api).toHaveLength(4);
    const secrets = [
      join("commission", "0", "member.key"),
      join("registrars", "0", "registrar.key"),
      "voters.txt",
    ];
    const plain = ["manifest.cbor", "election.json"];
    for (let i = 0; i < 4; i++) {
      secrets.push(join("validators", String(i), "validator.key"));
      plain.push(join("validators", String(i), "config.json"));
    }
    for (let i = 1; i <= 3; i++) {
      secrets.push(
        join("trustees", String(i), "trustee.key"),
        join("trustees", String(i), "share.cbor"),
      );
    }
    for (const f of [...secrets, ...plain]) expect(existsSync(join(edir, f)), f).toBe(true);
    for (const f of secrets) expect(statSync(join(edir, f)).mode & 0o777, f).toBe(0o600);
    const voters = readFileSync(join(edir, "voters.txt"), "utf8").trim().split("\n");
    expect(voters).toHaveLength(3);
    // Each voter's key and the district it is registered to.
    for (const v of voters) expect(v).toMatch(/^[0-9a-f]{64} 0$/);
    for (const key of [
      join("commission", "0", "member.key"),
      join("registrars", "0", "registrar.key"),
    ]) {
      expect(readFileSync(join(edir, key), "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
    }
    const config = JSON.parse(readFileSync(join(edir, "validators", "2", "config.json"), "utf8"));
    expect(config).toMatchObject({
      manifestFile: "../../manifest.cbor",
      keyFile: "validator.key",
      httpPort: 8102,
    });
    expect(config.peers).toHaveLength(3);
  });

  it("refuses a directory that already holds an election, changing nothing", async () => {
    const before = readFileSync(join(edir, "manifest.cbor"));
    const keyFile = join(edir, "commission", "0", "member.key");
    const keyBefore = readFileSync(keyFile, "utf8");
    const r = await saylau("election", "init", "--dir", edir, "--voters", "2");
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("already holds an election");
    expect(readFileSync(join(edir, "manifest.cbor")).equals(before)).toBe(true);
    expect(readFileSync(keyFile, "utf8")).toBe(keyBefore);
  });
});

describe("vote --choices", () => {
  it.each([
    ["0,1", "allows at most 1 selections"],
    ["5", "has options 0..4"],
    ["x", '"x" is not one'],
    ["-1", '"-1" is not one'],
    ["0;1", "names 2 contests; the ballot has 1"],
    ["", ""],
  ])("%j is a usage error before anything is sent", async (choices, message) => {
    const r = await saylau(
      "vote",
      "--dir",
      edir,
      "--voter",
      "0",
      `--choices=${choices}`,
      "--node",
      dead,
    );
    // An empty --choices is "missing"; everything else is parsed and refused.
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(message);
  });

  it("a voter outside the list is a usage error", async () => {
    const r = await saylau("vote", "--dir", edir, "--voter", "3", "--choices", "1", "--node", dead);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--voter must be an integer from 0 to 2");
  });
});

describe("receipt verify", () => {
  let rdir: string;
  let receiptFile: string;
  let manifestFile: string;
  let encoded: Uint8Array;
  let ballotId: Uint8Array;

  beforeAll(() => {
    const built = buildElection({ voters: 2, seed: "cli-receipt" });
    rdir = join(tmp, "receipt");
    rmSync(rdir, { recursive: true, force: true });
    mkdirSync(rdir);
    const leaves: Uint8Array[] = [];
    for (const e of built.entries) for (const t of decodeBlock(e.block).txs) leaves.push(txId(t));
    const height = built.heights.firstBallots;
    const entry = built.entries[height - 1]!;
    const block = decodeBlock(entry.block);
    const index = block.txs.findIndex((t) => decodeTransaction(t).type === "ballot");
    const leafIndex = block.header.logSize - block.header.txCount + index;
    ballotId = leaves[leafIndex]!;
    const receipt: Receipt = {
      version: 1,
      ballotId,
      leafIndex,
      header: block.header,
      auditPath: buildInclusionProof(leafIndex, block.header.logSize, (level, i) =>
        rootOfLeafHashes(leaves.slice(i * 2 ** level, (i + 1) * 2 ** level)),
      ),
      certificate: decodeCertificate(entry.certificate!),
    };
    encoded = encodeReceipt(receipt);
    receiptFile = join(rdir, "receipt.cbor");
    manifestFile = join(rdir, "manifest.cbor");
    writeFileSync(receiptFile, encoded);
    writeFileSync(manifestFile, built.setup.manifestBytes);
  }, 60_000);

  it("VALID on the untouched receipt: exit 0", async () => {
    const r = await saylau("receipt", "verify", receiptFile, "--manifest", manifestFile);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`VALID: ballot ${toHex(ballotId)}`);
  });

  it("INVALID with the reason when the ballot id was altered: exit 1", async () => {
    const at = Buffer.from(encoded).indexOf(Buffer.from(ballotId));
    expect(at).toBeGreaterThan(0);
    const tampered = Uint8Array.from(encoded);
    tampered[at + 5]! ^= 0x10;
    const file = join(rdir, "tampered.cbor");
    writeFileSync(file, tampered);
    const r = await saylau("receipt", "verify", file, "--manifest", manifestFile);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^INVALID: receipt\/[a-z_]+: .+/m);
  });

  it("INVALID against another election's manifest: exit 1", async () => {
    const r = await saylau(
      "receipt",
      "verify",
      receiptFile,
      "--manifest",
      join(edir, "manifest.cbor"),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^INVALID: /m);
  });

  // Regression: a receipt file that does not decode (truncated, garbage) once exited 1 with
  // only "error codec/...: ..." on stderr, not "INVALID: <reason>" as the help promises.
  it("INVALID with the reason when the file does not decode: exit 1", async () => {
    const file = join(rdir, "truncated.cbor");
    writeFileSync(file, encoded.subarray(0, encoded.length - 7));
    const r = await saylau("receipt", "verify", file, "--manifest", manifestFile);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^INVALID: codec\/[a-z_]+: /m);
  });

  it("the undecodable file still exits 1 with the codec error", async () => {
    const file = join(rdir, "garbage.cbor");
    writeFileSync(file, new TextEncoder().encode("this is not a receipt"));
    const r = await saylau("receipt", "verify", file, "--manifest", manifestFile);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/codec\/[a-z_]+/);
  });

  it("a missing receipt or manifest file exits 3", async () => {
    const missing = await saylau(
      "receipt",
      "verify",
      join(rdir, "nope.cbor"),
      "--manifest",
      manifestFile,
    );
    expect(missing.code).toBe(3);
    expect(missing.err).toContain("nope.cbor does not exist");
    const noManifest = await saylau(
      "receipt",
      "verify",
      receiptFile,
      "--manifest",
      join(rdir, "none"),
    );
    expect(noManifest.code).toBe(3);
  });
});
