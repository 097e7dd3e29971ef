/**
 * `saylau audit`: replay an election's record from genesis against its manifest and
 * recompute the result (src/audit). Exit codes: 0 everything verifies; 1 the record is
 * inconsistent (the first failure is printed with its height and code); 2 usage; 3 the
 * record cannot be read (node unreachable, bad responses, broken export directory).
 */
import { parseArgs } from "node:util";
import { type AuditProgress, type AuditReport, auditRecord } from "../../audit/audit.ts";
import { AuditFailure, RecordSourceError } from "../../audit/errors.ts";
import { DirectorySource, NodeSource, type RecordSource } from "../../audit/source.ts";
import { isSaylauError } from "../../errors.ts";
import { EXIT, table } from "../output.ts";
import { formatResults } from "../results-table.ts";

export const auditHelp = `saylau audit --node URL | --dir EXPORT_DIR [--json] [--workers N]
             [--allow-missing-ceremony]

Verifies the trustees' key ceremony from its public transcript (every signature, proof and
verdict, and that it yields exactly the manifest's trustees and keys), then replays the
election's ledger from genesis, trusting only the manifest: checks every
block's commit certificate against the manifest's validators, every transaction's
signature and every ballot's proofs (on worker threads), the hash chain, log root and
state hash at every height, re-verifies the trustees' decryption shares and recomputes
the result, and verifies every item of equivocation evidence, naming the validators it
proves equivocated. With --node, also checks that the node's head at the start is a prefix of
its head at the end (RFC 9162 consistency proof).

  --node URL       a validator's HTTP API, e.g. http://127.0.0.1:8080
  --dir DIR        an export written by \`saylau export\` (docs/AUDIT.md)
  --json           print the report (or the failure) as JSON
  --workers N      verification threads (default: available parallelism; 0: this thread)
  --allow-missing-ceremony
                   a record without the ceremony transcript passes, flagged as unverified
                   (without this flag it fails: nothing then shows the joint key was made
                   without any one party learning the decryption key)

Progress goes to stderr; the report to stdout.
Exit code 0: verified; 1: AUDIT FAILED (first inconsistency printed); 2: usage; 3: cannot read the record.`;

const EXIT_OK = EXIT.ok;
const EXIT_FAILED = EXIT.failed;
const EXIT_USAGE = EXIT.usage;
const EXIT_UNAVAILABLE = EXIT.unavailable;

function usage(message: string): number {
  process.stderr.write(`${message}\n\n${auditHelp}\n`);
  return EXIT_USAGE;
}

export function formatReport(report: AuditReport): string {
  const t = report.transactions;
  const lines = [
    `AUDIT OK: ${report.electionName} (${report.electionId})`,
    `source ${report.source}`,
    "",
    table([
      [
        "key ceremony",
        report.ceremony === null
          ? "NOT VERIFIED: no transcript in the record"
          : `verified: ${report.ceremony.trustees} trustees, ${report.ceremony.threshold} needed to decrypt`,
      ],
      ["blocks", report.blocks],
      ["head hash", report.head.hash],
      ["log size", report.head.logSize],
      ["log root", report.head.logRoot],
      ["transactions", t.total],
      ["  commission", t.commission],
      ["  register", t.register],
      ["  revoke", t.revoke],
      ["  ballot", t.ballot],
      ["  decryption", t.decryption],
      ["ballots verified", report.ballotsVerified],
      ["ballots/s", Math.round(report.ballotsPerSecond)],
      ["elapsed (s)", (report.elapsedMs / 1000).toFixed(2)],
      ["worker threads", report.workers],
      ["phase", report.phase],
      ["credentials", report.credentials],
      ["  revoked", report.results.revoked],
      ["voters", report.voters],
      ["evidence", report.evidence.items],
      [
        "equivocated",
        report.evidence.accused.length === 0
          ? "none proven"
          : report.evidence.accused
              .map((a) => `validator ${a.validator} (${a.name}): ${a.items} proof(s)`)
              .join("; "),
      ],
      [
        "consistency",
        report.consistency === null
          ? "n/a (fixed record)"
          : `log ${report.consistency.fromSize} -> ${report.consistency.toSize} verified`,
      ],
    ]),
    "",
  ];
  const regions = new Map<string, number>();
  for (const d of report.results.districts) {
    regions.set(d.region, (regions.get(d.region) ?? 0) + d.credentials);
  }
  lines.push(
    "credentials registered per region (to hold against the published rolls):",
    table([["region", "credentials"], ...[...regions].map(([id, n]) => [id, n])]),
    "",
    formatResults(report.results),
  );
  return `${lines.join("\n")}\n`;
}

/** A stderr progress line at most about once a second. */
function progressPrinter(): (p: AuditProgress) => void {
  let last = performance.now();
  return (p) => {
    const now = performance.now();
    if (now - last < 1000) return;
    last = now;
    const rate = p.ballots / (p.elapsedMs / 1000);
    process.stderr.write(
      `audit: height ${p.height}/${p.total}, ${p.ballots} ballots, ${Math.round(rate)} ballots/s\n`,
    );
  };
}

export async function runAudit(args: string[]): Promise<number> {
  let values: {
    node?: string;
    dir?: string;
    json?: boolean;
    help?: boolean;
    workers?: string;
    "allow-missing-ceremony"?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        node: { type: "string" },
        dir: { type: "string" },
        json: { type: "boolean" },
        workers: { type: "string" },
        "allow-missing-ceremony": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return usage((err as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(`${auditHelp}\n`);
    return EXIT_OK;
  }
  if ((values.node === undefined) === (values.dir === undefined)) {
    return usage("give exactly one of --node URL or --dir EXPORT_DIR");
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isSafeInteger(workers) || workers < 0 || workers > 256) {
      return usage("--workers takes an integer from 0 to 256");
    }
  }
  const json = values.json === true;
  try {
    const source: RecordSource =
      values.node !== undefined ? new NodeSource(values.node) : new DirectorySource(values.dir!);
    const report = await auditRecord(source, {
      ...(workers === undefined ? {} : { workers }),
      onProgress: progressPrinter(),
    });
    const ceremonyMissing = report.ceremony === null && values["allow-missing-ceremony"] !== true;
    process.stdout.write(
      json
        ? `${JSON.stringify({ ok: !ceremonyMissing, ...report }, null, 2)}\n`
        : formatReport(report),
    );
    if (ceremonyMissing) {
      if (!json) {
        process.stdout.write(
          "AUDIT FAILED: the record carries no key ceremony transcript, so the trustees' key ceremony is unverified (--allow-missing-ceremony to accept)\n",
        );
      }
      return EXIT_FAILED;
    }
    return EXIT_OK;
  } catch (err) {
    if (err instanceof AuditFailure) {
      const at = err.height === null ? "the end" : `height ${err.height}`;
      process.stdout.write(
        json
          ? `${JSON.stringify({ ok: false, height: err.height, code: err.code, reason: err.message, details: err.details }, null, 2)}\n`
          : `AUDIT FAILED at ${at}: ${err.code}: ${err.message}\n`,
      );
      return EXIT_FAILED;
    }
    if (err instanceof RecordSourceError || isSaylauError(err)) {
      process.stderr.write(`cannot read the record: ${err.code}: ${err.message}\n`);
      return EXIT_UNAVAILABLE;
    }
    throw err;
  }
}
