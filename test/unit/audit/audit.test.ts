import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditRecord } from "../../../src/audit/audit.ts";
import { AuditFailure, RecordSourceError } from "../../../src/audit/errors.ts";
import { exportRecord } from "../../../src/audit/export.ts";
import {
  DirectorySource,
  entryFileName,
  evidenceFileName,
  MemorySource,
} from "../../../src/audit/source.ts";
import { runAudit } from "../../../src/cli/commands/audit.ts";
import { decodeCertificate, encodeCertificate } from "../../../src/consensus/certificate.ts";
import { evidenceId } from "../../../src/consensus/evidence.ts";
import { toHex } from "../../../src/crypto/bytes.ts";
import { sign } from "../../../src/crypto/ed25519.ts";
import { partialDecrypt } from "../../../src/election/decryption.ts";
import { decodeBlock, encodeBlock } from "../../../src/ledger/block.ts";
import { resultsOf } from "../../../src/ledger/results.ts";
import {
  type BallotTx,
  type DecryptionTx,
  decodeTransaction,
  encodeTransaction,
  signingMessage,
  signTransaction,
} from "../../../src/ledger/transactions.ts";
import { signedEvidence, tamperedEvidence } from "../../support/evidence.ts";
import { describeEachArithmetic } from "../election/fixtures.ts";
import { type BuiltElection, buildElection, entryOf, forgedBlock } from "./record.ts";

let built: BuiltElection;
let root: string;
let clean: string;

beforeAll(async () => {
  built = buildElection();
  root = mkdtempSync(join(tmpdir(), "saylau-audit-"));
  clean = join(root, "clean");
  await exportRecord(
    new MemorySource(
      built.setup.manifestBytes,
      built.entries,
      { note: "test" },
      [],
      built.setup.transcript,
    ),
    clean,
  );
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh copy of the clean export, changed by `tamper`. */
let copies = 0;
function tampered(tamper: (dir: string) => void): string {
  const dir = join(root, `t${copies++}`);
  cpSync(clean, dir, { recursive: true });
  tamper(dir);
  return dir;
}

const blockPath = (dir: string, h: number) => join(dir, "blocks", entryFileName(h));
const certPath = (dir: string, h: number) => join(dir, "certificates", entryFileName(h));

/**
 * Runs the audit and returns the failure it stops at ({code, height}), or "clean". On the
 * calling thread by default: starting a worker (which builds its own fixed-base tables)
 * costs more than these small replays, and the pool path is covered by the clean audits and
 * the ballot tamper test, which passes workers: 1.
 */
async function failureOf(
  dir: string,
  workers = 0,
): Promise<{ code: string; height: number | null } | "clean"> {
  try {
    await auditRecord(new DirectorySource(dir), { workers });
    return "clean";
  } catch (err) {
    if (err instanceof AuditFailure) return { code: err.code, height: err.height };
    throw err;
  }
}

describe("export and audit of an election built in memory", () => {
  it("writes the documented layout", () => {
    const n = built.entries.length;
    expect(readFileSync(join(clean, "manifest.cbor"))).toEqual(
      Buffer.from(built.setup.manifestBytes),
    );
    expect(readFileSync(blockPath(clean, n))).toEqual(Buffer.from(built.entries[n - 1]!.block));
    expect(readFileSync(certPath(clean, 1))).toEqual(Buffer.from(built.entries[0]!.certificate!));
    expect(entryFileName(7)).toBe("000000000007.cbor");
    expect(JSON.parse(readFileSync(join(clean, "results.json"), "utf8"))).toEqual({ note: "test" });
    expect(readFileSync(join(clean, "README.txt"), "utf8")).toContain("saylau audit --dir");
    expect(readdirSync(join(clean, "evidence"))).toEqual([]);
  });

  it("audits the clean export: every block, the transactions by type, the result", async () => {
    const report = await auditRecord(new DirectorySource(clean));
    const { heights, setup, expected } = built;
    expect(report.blocks).toBe(heights.lastDecryption);
    expect(report.head.hash).toBe(toHex(built.ledger.tip.hash));
    expect(report.transactions).toEqual({
      commission: 2,
      register: 3,
      revoke: 1,
      ballot: 7,
      decryption: 6,
      total: 19,
    });
    expect(report.ballotsVerified).toBe(7);
    expect(report.ballotsPerSecond).toBeGreaterThan(0);
    expect(report.phase).toBe("closed");
    expect(report.credentials).toBe(setup.voters.length);
    expect(report.voters).toBe(setup.voters.length - built.revoked.length);
    expect(report.results.complete).toBe(true);
    expect(report.results.districts.map((d) => d.decryptions)).toEqual([
      [2, 1],
      [2, 1],
      [2, 1],
    ]);
    // Per district, each contest of its style, from the result the replay recomputed.
    const byDistrict = built.ctx.geography.districts.map((d) =>
      d.style.map((c) => report.results.contests[c]!.districts.find((x) => x.id === d.id)!.counts),
    );
    expect(byDistrict).toEqual(expected);
    expect(report.results.contests[0]!.options).toEqual(["Aigerim", "Bauyrzhan", "Dana"]);
    expect(report.evidence).toEqual({ items: 0, accused: [] });
    expect(report.consistency).toBeNull();
  });

  it("reports results per district, region and in total as resultsOf gives them on the final state", async () => {
    const report = await auditRecord(new DirectorySource(clean), { workers: 0 });
    const { ctx, ledger, expected } = built;
    expect(report.results).toEqual(resultsOf(ctx, ledger.tip.state));
    // The mayor (national): per region and in total, the sums of its districts' counts.
    const mayor = report.results.contests[0]!;
    const sum = (rows: number[][]) => rows[0]!.map((_, j) => rows.reduce((a, r) => a + r[j]!, 0));
    expect(mayor.regions.map((r) => [r.id, r.counts])).toEqual([
      ["R1", sum([expected[0]![0]!, expected[1]![0]!])],
      ["R2", expected[2]![0]!],
    ]);
    expect(mayor.total).toEqual(sum(expected.map((d) => d[0]!)));
    // The council (region R1 only): not in R2's district at all.
    const council = report.results.contests[1]!;
    expect(council.scope).toEqual({ level: "region", id: "R1" });
    expect(council.districts.map((d) => d.id)).toEqual(["D1", "D2"]);
    expect(council.regions.map((r) => r.id)).toEqual(["R1"]);
    expect(council.total).toEqual(sum([expected[0]![1]!, expected[1]![1]!]));
  });

  it("counts registrations and revocations per district and region", async () => {
    const report = await auditRecord(new DirectorySource(clean), { workers: 0 });
    const { setup, ctx } = built;
    const perRegion = (field: "credentials" | "revoked") =>
      setup.manifest.regions.map((r) =>
        report.results.districts.filter((d) => d.region === r.id).reduce((a, d) => a + d[field], 0),
      );
    // Six voters round robin over D1, D2 (region R1) and D3 (region R2).
    expect(report.results.districts.map((d) => [d.id, d.region, d.credentials])).toEqual([
      ["D1", "R1", 2],
      ["D2", "R1", 2],
      ["D3", "R2", 2],
    ]);
    expect(perRegion("credentials")).toEqual([4, 2]);
    // The last voter (D3, region R2) was revoked after voting: registered, not counted.
    const revokedDistrict = setup.voterDistricts[built.revoked[0]!]!;
    expect(ctx.geography.districts[revokedDistrict]!.region).toBe(1);
    expect(perRegion("revoked")).toEqual([0, 1]);
    expect(report.results.districts.map((d) => d.voters)).toEqual([2, 2, 1]);
    expect(report.credentials).toBe(perRegion("credentials").reduce((a, b) => a + b, 0));
  });

  it("gives the same report on one thread as with the worker pool", async () => {
    const pooled = await auditRecord(new MemorySource(built.setup.manifestBytes, built.entries), {
      workers: 2,
    });
    const inline = await auditRecord(new MemorySource(built.setup.manifestBytes, built.entries), {
      workers: 0,
    });
    expect(inline.workers).toBe(0);
    expect({ ...inline, elapsedMs: 0, ballotsPerSecond: 0, workers: 0 }).toEqual({
      ...pooled,
      elapsedMs: 0,
      ballotsPerSecond: 0,
      workers: 0,
    });
  });

  it("catches a changed ballot byte at its height", async () => {
    const h = built.heights.firstBallots;
    const dir = tampered((d) => {
      const block = decodeBlock(readFileSync(blockPath(d, h)));
      const tx = decodeTransaction(block.txs[1]!) as BallotTx;
      const alpha = Uint8Array.from(tx.ballot.contests[0]!.selections[0]!.alpha);
      alpha[5]! ^= 1;
      const changed = structuredClone(tx);
      changed.ballot.contests[0]!.selections[0]!.alpha = alpha;
      const txs = [...block.txs];
      txs[1] = encodeTransaction(changed);
      writeFileSync(blockPath(d, h), encodeBlock({ ...block, txs }));
    });
    expect(await failureOf(dir, 1)).toEqual({ code: "ledger/bad_signature", height: h });
    expect(await failureOf(dir, 0)).toEqual({ code: "ledger/bad_signature", height: h });
  });

  it("catches a changed header field: the certificate no longer matches", async () => {
    const h = built.heights.open;
    const dir = tampered((d) => {
      const block = decodeBlock(readFileSync(blockPath(d, h)));
      writeFileSync(
        blockPath(d, h),
        encodeBlock({ ...block, header: { ...block.header, time: block.header.time + 1 } }),
      );
    });
    expect(await failureOf(dir)).toEqual({ code: "audit/certificate_mismatch", height: h });
  });

  it("catches a changed certificate signature, naming the consensus rule", async () => {
    const h = built.heights.close;
    const dir = tampered((d) => {
      const cert = decodeCertificate(readFileSync(certPath(d, h)));
      const sig = Uint8Array.from(cert.signatures[1]!.sig);
      sig[0]! ^= 0x80;
      const signatures = cert.signatures.map((s, i) => (i === 1 ? { ...s, sig } : s));
      writeFileSync(certPath(d, h), encodeCertificate({ ...cert, signatures }));
    });
    try {
      await auditRecord(new DirectorySource(dir), { workers: 0 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AuditFailure);
      expect((err as AuditFailure).code).toBe("audit/bad_certificate");
      expect((err as AuditFailure).height).toBe(h);
      expect((err as AuditFailure).details.cause).toBe("consensus/cert_bad_signature");
    }
  });

  it("catches a dropped block as a gap", async () => {
    const h = built.heights.firstBallots + 1;
    const dir = tampered((d) => {
      unlinkSync(blockPath(d, h));
      unlinkSync(certPath(d, h));
    });
    expect(await failureOf(dir)).toEqual({ code: "audit/gap", height: h });
  });

  it("catches two reordered blocks", async () => {
    const h = built.heights.firstBallots;
    const dir = tampered((d) => {
      for (const path of [blockPath, certPath]) {
        renameSync(path(d, h), join(d, "swap"));
        renameSync(path(d, h + 1), path(d, h));
        renameSync(join(d, "swap"), path(d, h + 1));
      }
    });
    expect(await failureOf(dir)).toEqual({ code: "audit/out_of_order", height: h });
  });

  it("saylau audit prints the first failure with its height and exits 1", async () => {
    const h = built.heights.firstBallots + 1;
    const dir = tampered((d) => {
      unlinkSync(blockPath(d, h));
      unlinkSync(certPath(d, h));
    });
    let stdout = "";
    const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await runAudit(["--dir", dir, "--workers", "0"])).toBe(1);
      expect(stdout).toMatch(
        new RegExp(`^AUDIT FAILED at height ${h}: audit/gap: block ${h} is missing`),
      );
      stdout = "";
      expect(await runAudit(["--dir", clean, "--workers", "0"])).toBe(0);
      expect(stdout).toContain("AUDIT OK");
      expect(stdout).toMatch(/key ceremony\s+verified: 3 trustees, 2 needed to decrypt/);
      // The same record without its ceremony transcript: the ceremony is unverified, so the
      // command fails unless told to accept that.
      const bare = join(root, "no-ceremony");
      await exportRecord(new MemorySource(built.setup.manifestBytes, built.entries), bare);
      stdout = "";
      expect(await runAudit(["--dir", bare, "--workers", "0"])).toBe(1);
      expect(stdout).toContain("key ceremony is unverified");
      expect(await runAudit(["--dir", bare, "--workers", "0", "--allow-missing-ceremony"])).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it("refuses a broken export file set before replaying anything", () => {
    const cases: [string, (d: string) => void][] = [
      ["misnamed", (d) => renameSync(blockPath(d, 2), join(d, "blocks", "2.cbor"))],
      ["extra", (d) => writeFileSync(join(d, "notes.txt"), "x")],
      ["no manifest", (d) => unlinkSync(join(d, "manifest.cbor"))],
      ["block without certificate", (d) => unlinkSync(certPath(d, 3))],
      ["no evidence folder", (d) => rmSync(join(d, "evidence"), { recursive: true })],
      ["misnamed evidence", (d) => writeFileSync(join(d, "evidence", "1.cbor"), "x")],
    ];
    for (const [what, tamper] of cases) {
      const dir = tampered(tamper);
      expect(() => new DirectorySource(dir), what).toThrow(RecordSourceError);
    }
  });

  it("refuses to export into a non-empty directory", async () => {
    await expect(
      exportRecord(new MemorySource(built.setup.manifestBytes, built.entries), clean),
    ).rejects.toMatchObject({ code: "audit/export_dir_not_empty" });
  });
});

// Under both verification backends (src/election/public-arithmetic.ts).
const DISHONEST_QUORUM = "a dishonest quorum certifying a bad block is still caught by the replay";
describeEachArithmetic(DISHONEST_QUORUM, () => {
  const audit = (entries: BuiltElection["entries"]) =>
    auditRecord(new MemorySource(built.setup.manifestBytes, entries), { workers: 0 }).then(
      () => "clean",
      (err: unknown) => {
        if (!(err instanceof AuditFailure)) throw err;
        return `${err.code}@${err.height}`;
      },
    );

  it("a wrong stateHash", async () => {
    const { closedTip, setup, closedEntries } = built;
    // A real, valid decryption share, in a block whose stateHash claims nothing happened.
    const tx = encodeTransaction(
      signTransaction<DecryptionTx>(
        {
          type: "decryption",
          electionId: setup.electionId,
          district: 0,
          share: partialDecrypt(
            built.ctx.districtCrypto[0]!,
            setup.trustees[0]!.secret,
            closedTip.state.districts[0]!.tally,
          ),
        },
        setup.trustees[0]!.signing.seed,
      ),
    );
    const block = forgedBlock(closedTip, [tx], closedTip.header.stateHash);
    expect(await audit([...closedEntries, entryOf(setup, block)])).toBe(
      `ledger/bad_state_hash@${closedTip.header.height + 1}`,
    );
  });

  it("a decryption share signed by the trustee's key but with wrong values", async () => {
    const { closedTip, setup, closedEntries } = built;
    const tally = closedTip.state.districts[0]!.tally;
    const crypto = built.ctx.districtCrypto[0]!;
    const share = partialDecrypt(crypto, setup.trustees[0]!.secret, tally);
    const other = partialDecrypt(crypto, setup.trustees[1]!.secret, tally);
    // Trustee 1 claims trustee 2's partial decryption of the first option as their own.
    const forged = structuredClone(share);
    forged.contests[0]![0] = other.contests[0]![0]!;
    const tx = encodeTransaction(
      signTransaction<DecryptionTx>(
        { type: "decryption", electionId: setup.electionId, district: 0, share: forged },
        setup.trustees[0]!.signing.seed,
      ),
    );
    // The signature is the trustee's own: only the share's proof can give it away.
    const decoded = decodeTransaction(tx) as DecryptionTx;
    expect(toHex(sign(setup.trustees[0]!.signing.seed, signingMessage(decoded)))).toBe(
      toHex(decoded.sig),
    );
    const block = forgedBlock(closedTip, [tx], closedTip.header.stateHash);
    expect(await audit([...closedEntries, entryOf(setup, block)])).toBe(
      `election/bad_decryption_share@${closedTip.header.height + 1}`,
    );
  });

  it("a valid share signed by someone who is not that trustee", async () => {
    const { closedTip, setup, closedEntries } = built;
    const share = partialDecrypt(
      built.ctx.districtCrypto[0]!,
      setup.trustees[0]!.secret,
      closedTip.state.districts[0]!.tally,
    );
    const tx = encodeTransaction(
      signTransaction<DecryptionTx>(
        { type: "decryption", electionId: setup.electionId, district: 0, share },
        setup.voters[0]!.seed,
      ),
    );
    const block = forgedBlock(closedTip, [tx], closedTip.header.stateHash);
    expect(await audit([...closedEntries, entryOf(setup, block)])).toBe(
      `ledger/bad_signature@${closedTip.header.height + 1}`,
    );
  });

  it("a certificate below quorum", async () => {
    const entries = [...built.entries];
    const { setup } = built;
    const block = decodeBlock(entries[1]!.block);
    const { certify } = await import("./record.ts");
    entries[1] = { ...entries[1]!, certificate: certify(setup, block.header, [0, 3]) };
    expect(await audit(entries)).toBe("audit/bad_certificate@2");
  });
});

describe("equivocation evidence in the record", () => {
  /** Validator 3 equivocated twice and validator 1 once, each proof signed with its real key. */
  const proofs = () => {
    const { setup } = built;
    const at = (height: number) => ({ height, view: 0, phase: "prepare" as const });
    return [
      signedEvidence(setup.validators[3]!.seed, setup.electionId, 3, at(2)),
      signedEvidence(setup.validators[3]!.seed, setup.electionId, 3, at(5), 1),
      signedEvidence(setup.validators[1]!.seed, setup.electionId, 1, {
        height: 4,
        view: 2,
        phase: "view-change",
      }),
    ];
  };
  /** The first blocks only: the evidence checks do not depend on how long the chain is. */
  const short = () => built.entries.slice(0, built.heights.open);
  const auditShort = (evidence: Uint8Array[]) =>
    auditRecord(new MemorySource(built.setup.manifestBytes, short(), null, evidence), {
      workers: 0,
    });

  it("is exported under its ids, verified by the audit, and its validators named in the report", async () => {
    const evidence = proofs().map((p) => p.bytes);
    const dir = join(root, "with-evidence");
    const summary = await exportRecord(
      new MemorySource(
        built.setup.manifestBytes,
        built.entries,
        null,
        evidence,
        built.setup.transcript,
      ),
      dir,
    );
    expect(summary.evidence).toBe(3);
    expect(readdirSync(join(dir, "evidence"))).toEqual(
      evidence.map((e) => evidenceFileName(evidenceId(e))).sort(),
    );
    for (const e of evidence) {
      expect(readFileSync(join(dir, "evidence", evidenceFileName(evidenceId(e))))).toEqual(
        Buffer.from(e),
      );
    }
    const report = await auditRecord(new DirectorySource(dir), { workers: 0 });
    expect(report.blocks).toBe(built.heights.lastDecryption);
    expect(report.evidence).toEqual({
      items: 3,
      accused: [
        { validator: 1, name: built.setup.manifest.validators[1]!.name, items: 1 },
        { validator: 3, name: built.setup.manifest.validators[3]!.name, items: 2 },
      ],
    });

    let stdout = "";
    const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await runAudit(["--dir", dir, "--workers", "0"])).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(stdout).toMatch(
      /equivocated\s+validator 1 \(.+\): 1 proof\(s\); validator 3 \(.+\): 2 proof\(s\)/,
    );
  });

  it("rejects a record with evidence that proves nothing, whichever field was changed", async () => {
    const [good] = proofs();
    expect((await auditShort([good!.bytes])).evidence.items).toBe(1);
    for (const [what, bytes] of tamperedEvidence(good!, built.setup.validators.length)) {
      const failure = await auditShort([good!.bytes, bytes]).catch((e: unknown) => e);
      expect(failure, what).toBeInstanceOf(AuditFailure);
      expect(failure, what).toMatchObject({
        code: "audit/bad_evidence",
        height: null,
        details: { evidence: toHex(evidenceId(bytes)) },
      });
      expect((failure as AuditFailure).details.cause, what).toMatch(
        /^(consensus\/bad_evidence|codec\/.+)$/,
      );
    }
  });

  it("rejects evidence listed twice, or under a name that is not its id", async () => {
    const [a, b] = proofs();
    await expect(auditShort([a!.bytes, b!.bytes, a!.bytes])).rejects.toMatchObject({
      code: "audit/bad_evidence",
      message: expect.stringContaining("appears twice"),
    });
    const dir = join(root, "renamed-evidence");
    await exportRecord(new MemorySource(built.setup.manifestBytes, short(), null, [a!.bytes]), dir);
    renameSync(
      join(dir, "evidence", evidenceFileName(evidenceId(a!.bytes))),
      join(dir, "evidence", evidenceFileName(evidenceId(b!.bytes))),
    );
    await expect(auditRecord(new DirectorySource(dir), { workers: 0 })).rejects.toMatchObject({
      code: "audit/bad_evidence",
      details: { evidence: toHex(evidenceId(b!.bytes)), id: toHex(evidenceId(a!.bytes)) },
    });
  });
});
