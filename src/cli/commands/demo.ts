/**
 * The demo: a whole election on four validators running as child processes on loopback.
 * Generates the election, registers the voters, opens the polls, casts ballots
 * concurrently, kills one validator with SIGKILL half-way and restarts it, watches it
 * catch up, closes the polls, has two of three trustees decrypt, verifies a receipt,
 * audits the whole ledger, and prints a summary. The data directory stays for
 * `saylau audit --dir` or `saylau status` afterwards.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type AuditReport, auditRecord } from "../../audit/audit.ts";
import { exportRecord } from "../../audit/export.ts";
import { DirectorySource, NodeSource } from "../../audit/source.ts";
import { fromHex, toHex, utf8 } from "../../crypto/bytes.ts";
import { sha256 } from "../../crypto/hash.ts";
import { seededRng } from "../../election/rng.ts";
import { SaylauError } from "../../errors.ts";
import { ledgerContext } from "../../ledger/context.ts";
import { createElection } from "../../ledger/election-setup.ts";
import { ballotTx } from "../../ledger/tx-builders.ts";
import type { ResultsView, StatusView, SubmitResult } from "../../node/api/service.ts";
import { decodeReceipt, verifyReceipt } from "../../receipt/receipt.ts";
import { integer, parse } from "../args.ts";
import { writeElectionDirectory } from "../election-dir.ts";
import { apiRequest } from "../http-client.ts";
import { LocalCluster, pickPorts, until, watchCommits } from "../local-cluster.ts";
import { EXIT, Progress, percentile, table } from "../output.ts";
import {
  keptBackVoters,
  votingLines,
  waitForEnterOrStop,
  waitForStopSignal,
  webAppLines,
} from "../serve-until-stopped.ts";
import { checkAgainst } from "./receipt.ts";
import { commissionDecide, registerVoters } from "./test-election-parties.ts";
import { trusteeDecrypt } from "./trustee.ts";

export const demoHelp = `saylau demo [--dir DIR] [--voters N] [--concurrency C] [--serve]

Runs a whole election on 4 validators (child processes on loopback) and prints a summary.
  --dir DIR          where to keep the election and the validators' data (default ./demo-data;
                     a previous demo there is replaced)
  --voters N         voters, each casting one ballot, 5% of them voting twice (default 1000)
  --concurrency C    ballots in flight at once (default 32)
  --serve            keep some voters back and the polls open for you: print the web app's
                     address (http://127.0.0.1:8100/ when that port is free) and their voter
                     keys, vote in the browser, press Enter to close the polls, decrypt and
                     audit; the validators keep running until Ctrl-C
Afterwards: saylau status --node http://127.0.0.1:<port>, or saylau audit --dir DIR/export.`;

const MARKER = ".saylau-demo";
const CANDIDATES = ["Aigerim", "Bauyrzhan", "Dana", "Yerlan", "Zhanna"];

const demoStarted = performance.now();
function log(line: string): void {
  const t = ((performance.now() - demoStarted) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`${line.startsWith("\n") ? "\n" : ""}[${t}s] ${line.trimStart()}\n`);
}

export async function runDemo(args: string[]): Promise<number> {
  const parsed = parse(args, {
    dir: { type: "string" },
    voters: { type: "string" },
    concurrency: { type: "string" },
    serve: { type: "boolean" },
  });
  if (parsed.help) {
    console.log(demoHelp);
    return EXIT.ok;
  }
  const dir = resolve((parsed.values.dir as string | undefined) ?? "demo-data");
  const voterCount = integer(parsed, "voters", 1000, 4, 100_000);
  const concurrency = integer(parsed, "concurrency", 32, 1, 1024);
  if (existsSync(dir)) {
    if (!existsSync(join(dir, MARKER))) {
      throw new SaylauError(
        "cli/exists",
        `${dir} exists and is not a demo directory; give another --dir`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), "made by saylau demo; replaced by the next demo run\n");

  // 1. The election: 4 validators, 3 trustees (threshold 2), the voters, one 1-of-5 contest.
  const seed = sha256(utf8(`saylau demo ${Date.now()}`));
  const ports = await pickPorts(4);
  log(
    `creating the election: 4 validators, 3 trustees (2 needed to decrypt), ${voterCount} voters`,
  );
  const setup = createElection({
    name: "Saylau demo election",
    createdAt: Date.now(),
    seed,
    validators: 4,
    trustees: 3,
    threshold: 2,
    voters: voterCount,
    contests: [{ label: "Mayor", options: CANDIDATES, limit: 1 }],
  });
  const edir = join(dir, "election");
  writeElectionDirectory(edir, setup, { host: "127.0.0.1", ...ports });
  // 2. Validators as child processes.
  const cluster = new LocalCluster(edir, 4, ports.httpBase);
  const urls = cluster.urls;
  const onInterrupt = () => {
    cluster.killAllNow();
    process.exit(130);
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  try {
    for (const i of [0, 1, 2, 3]) cluster.start(i);
    await cluster.waitReady([0, 1, 2, 3]);
    log(
      `validators up: ${urls.join(" ")} (logs in ${join(edir, "validators", "<i>", "node.log")})`,
    );

    // 3. Register the credentials, open the polls.
    await commissionDecide(edir, urls[1]!, "approve");
    await registerVoters(edir, urls[0]!);
    log("the commission approved the election; credentials registered; polls are open");

    // 4. Ballots: every voter once, 5% of them twice (the later ballot counts). With --serve
    // the last few voters are kept back for the person trying the web app.
    const serve = parsed.values.serve === true;
    const keptBack = serve ? keptBackVoters(voterCount) : 0;
    const demoVoters = voterCount - keptBack;
    const ctx = ledgerContext(setup.manifestBytes);
    const rng = seededRng(seed);
    const choiceOf = () => rng(1)[0]! % CANDIDATES.length;
    const plan: { voter: number; choice: number; seq: number }[] = setup.voters
      .slice(0, demoVoters)
      .map((_, voter) => ({ voter, choice: choiceOf(), seq: 1 }));
    for (let v = 0; v < demoVoters; v += 20) plan.push({ voter: v, choice: choiceOf(), seq: 2 });
    const expected = new Array<number>(CANDIDATES.length).fill(0);
    const finalChoice = new Map<number, number>();
    for (const p of plan) finalChoice.set(p.voter, p.choice);
    for (const c of finalChoice.values()) expected[c]! += 1;

    const submitted = new Map<string, number>();
    let live = [0, 1, 2, 3];
    let killedAt = -1;
    let restartedAt = -1;
    let next = 0;
    let done = 0;
    const progress = new Progress("casting ballots", plan.length);
    const voteStarted = performance.now();
    let firstBallotId = "";
    // Watch blocks as they are committed to time each ballot from submission to commit.
    const status = await apiRequest<StatusView>(urls[0]!, "/v1/status");
    const watcher = watchCommits(urls[0]!, status.height + 1, 50);
    const committedAt = watcher.committedAt;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= plan.length) return;
        const p = plan[i]!;
        // Revotes go after the first ballots, in plan order: seq 2 must reach the ledger later anyway.
        const tx = ballotTx(
          ctx,
          setup.voters[p.voter]!,
          setup.voterDistricts[p.voter]!,
          [CANDIDATES.map((_, j) => (j === p.choice ? 1 : 0))],
          p.seq,
        );
        for (let attempt = 0; ; attempt++) {
          const node = live[(i + attempt) % live.length]!;
          try {
            const r = await apiRequest<SubmitResult>(urls[node]!, "/v1/ballots", { tx: toHex(tx) });
            submitted.set(r.id, performance.now());
            if (firstBallotId === "") firstBallotId = r.id;
            break;
          } catch (err) {
            const code = (err as SaylauError).code;
            if (
              code === "ledger/stale_ballot" ||
              code === "mempool/duplicate" ||
              code === "ledger/duplicate_tx"
            )
              break;
            if (attempt > 50) throw err;
            await new Promise((r) => setTimeout(r, 100 + attempt * 50));
          }
        }
        done++;
        progress.tick(1, live.length < 4 ? "(validator 3 down)" : "");
        if (killedAt < 0 && done >= plan.length * 0.35) {
          killedAt = done;
          live = [0, 1, 2];
          cluster.kill(3, "SIGKILL");
          log("\nvalidator 3 killed with SIGKILL; voting goes on with 3 of 4");
        }
        if (killedAt >= 0 && restartedAt < 0 && done >= plan.length * 0.6) {
          restartedAt = done;
          cluster.start(3);
          live = [0, 1, 2, 3];
          log("\nvalidator 3 restarted from its data directory");
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    log("all ballots submitted; waiting for them to be committed");
    await until(
      "every ballot to be committed",
      async () => {
        const r = await apiRequest<ResultsView>(urls[0]!, "/v1/results");
        return r.ballots >= submitted.size;
      },
      600_000,
    );
    const voteSeconds = (performance.now() - voteStarted) / 1000;
    log("every ballot committed; waiting for validator 3 to catch up");
    await until(
      "validator 3 to catch up",
      async () => {
        const [a, b] = await Promise.all(
          [urls[0]!, urls[3]!].map((u) => apiRequest<StatusView>(u, "/v1/status")),
        );
        return a!.height === b!.height && a!.headHash === b!.headHash;
      },
      120_000,
    );
    const heads = await Promise.all(urls.map((u) => apiRequest<StatusView>(u, "/v1/status")));
    log(
      `validator 3 caught up: all four validators at height ${heads[3]!.height}, head ${heads[3]!.headHash.slice(0, 16)}…`,
    );
    await watcher.stop();

    if (serve) {
      const voterKeys = setup.voters.slice(demoVoters).map((v) => toHex(v.seed));
      console.log("");
      for (const line of votingLines(urls, voterKeys)) console.log(line);
      // Ctrl-C here means "stop the validators cleanly", not "abort the demo".
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onInterrupt);
      const signal = await waitForEnterOrStop();
      process.on("SIGINT", onInterrupt);
      process.on("SIGTERM", onInterrupt);
      if (signal !== "enter") {
        log(`${signal}: stopping the validators with the polls still open`);
        return EXIT.ok;
      }
    }

    // 5. Close, decrypt with trustees 1 and 3.
    await until(
      "the polls to close",
      async () => Date.now() >= setup.manifest.schedule.closesAt,
      3_600_000,
    );
    log("polls are closed; trustees 1 and 3 decrypt");
    await trusteeDecrypt(edir, 1, urls[0]!);
    await trusteeDecrypt(edir, 3, urls[1]!);
    await until(
      "every validator to publish the result",
      async () => {
        // Each validator commits the deciding block on its own schedule: wait for all four.
        const all = await Promise.all(urls.map((u) => apiRequest<ResultsView>(u, "/v1/results")));
        return all.every((r) => r.complete);
      },
      120_000,
    );
    const results = await Promise.all(urls.map((u) => apiRequest<ResultsView>(u, "/v1/results")));
    const agreed = new Set(results.map((r) => JSON.stringify(r.contests))).size === 1;

    // 6. One receipt, checked offline against the manifest and against another node's head.
    const receiptView = await apiRequest<{ receipt: string; trackingCode: string }>(
      urls[1]!,
      `/v1/ballots/${firstBallotId}/receipt`,
    );
    const receipt = decodeReceipt(fromHex(receiptView.receipt));
    verifyReceipt(
      {
        electionId: setup.electionId,
        validators: setup.manifest.validators.map((v) => v.publicKey),
      },
      receipt,
    );
    await checkAgainst(urls[2]!, setup.manifestBytes, receipt);
    writeFileSync(join(dir, "receipt.cbor"), fromHex(receiptView.receipt));
    log(
      `receipt of ballot ${receiptView.trackingCode} verified against the manifest and validator 2's head`,
    );

    // 7. The audit: replay everything from genesis.
    const audit = await runFullAudit(urls[0]!, join(dir, "export"));

    // 8. Summary.
    const latencies = [...submitted].flatMap(([id, t]) => {
      const c = committedAt.get(id);
      return c === undefined ? [] : [(c - t) / 1000];
    });
    latencies.sort((a, b) => a - b);
    const final = results[0]!;
    const counts = final.contests[0]!.total!;
    // Ballots cast in the web app (--serve) come on top of the demo's; each chooses at most
    // one candidate, and a blank ballot chooses none.
    const fromWeb = counts.map((c, i) => c - expected[i]!);
    const webVoters = final.voters - finalChoice.size;
    const matches = serve
      ? fromWeb.every((d) => d >= 0) && fromWeb.reduce((a, b) => a + b, 0) <= webVoters
      : fromWeb.every((d) => d === 0);
    console.log("");
    console.log(
      table([
        ["ballots cast", plan.length],
        ["voters counted", final.voters],
        ["blocks", heads[0]!.height],
        [
          "throughput (ballots/s, submit to commit)",
          Number((submitted.size / voteSeconds).toFixed(1)),
        ],
        ["latency p50 (s)", Number(percentile(latencies, 50).toFixed(2))],
        ["latency p99 (s)", Number(percentile(latencies, 99).toFixed(2))],
        ["validator 3 killed after / restarted after", `${killedAt} / ${restartedAt} ballots`],
        ["all validators agree on the result", agreed ? "yes" : "NO"],
        [
          "audit of the exported record",
          audit.ok ? `passed (${audit.report!.ballotsVerified} ballots re-verified)` : "FAILED",
        ],
      ]),
    );
    console.log("");
    console.log(
      table([
        serve
          ? ["Mayor", "votes", "cast by the demo", "cast in the web app"]
          : ["Mayor", "votes", "expected"],
        ...CANDIDATES.map((c, i) =>
          serve ? [c, counts[i]!, expected[i]!, fromWeb[i]!] : [c, counts[i]!, expected[i]!],
        ),
      ]),
    );
    console.log("");
    console.log(
      matches
        ? "The decrypted tally matches the ballots cast."
        : "MISMATCH between the tally and the ballots cast.",
    );
    console.log(`Data kept in ${dir}; try: saylau audit --dir ${join(dir, "export")}`);
    const ok = matches && agreed && audit.ok;
    if (serve) {
      // Ctrl-C now means "stop the validators cleanly", not "abort the demo".
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onInterrupt);
      console.log("");
      for (const line of webAppLines(urls, receiptView.trackingCode)) console.log(line);
      const signal = await waitForStopSignal();
      log(`${signal}: stopping the validators`);
    }
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
    await cluster.stopAll();
  }
}

/** Export the record from one validator, then audit the export from genesis. */
async function runFullAudit(
  node: string,
  exportDir: string,
): Promise<{ ok: boolean; report?: AuditReport }> {
  await exportRecord(new NodeSource(node), exportDir);
  log(`election record exported to ${exportDir}; auditing it from genesis`);
  try {
    const report = await auditRecord(new DirectorySource(exportDir));
    log(
      `audit passed: ${report.blocks} blocks, ${report.ballotsVerified} ballots re-verified (${report.ballotsPerSecond.toFixed(1)}/s)`,
    );
    return { ok: true, report };
  } catch (err) {
    log(`AUDIT FAILED: ${(err as Error).message}`);
    return { ok: false };
  }
}
