/**
 * The demo: a whole election in which every party is its own child process working in its
 * own directory under the demo's data directory, each holding only its own secrets:
 * commission members, regional registrars, validators, trustees and voters. The demo
 * process itself is the coordinator and the clock-watcher: it moves only public files
 * (public keys, the spec, the manifest, signature files) and tells each party when to act.
 *
 * Steps: keys; the spec and `election assemble`; validator configs and 4 validators; the
 * commission's approval (2 of 3 sign); registration per district by its region's
 * registrar; voting, one process per ballot, with validator 3 killed and restarted half-way;
 * near the close, if voting is not done, the commission extends the polls (2 of 3 sign,
 * on the record); after the close 2 of 3 trustees decrypt every district; the results per
 * district next to what was cast; a receipt; the audit of the exported record.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type AuditReport, auditRecord } from "../../audit/audit.ts";
import { exportRecord } from "../../audit/export.ts";
import { DirectorySource, NodeSource } from "../../audit/source.ts";
import { fromHex, utf8 } from "../../crypto/bytes.ts";
import { sha256 } from "../../crypto/hash.ts";
import { seededRng } from "../../election/rng.ts";
import { SaylauError } from "../../errors.ts";
import type { ResultsView, StatusView, TallyView } from "../../node/api/service.ts";
import { decodeReceipt, verifyReceipt } from "../../receipt/receipt.ts";
import { integer, parse } from "../args.ts";
import { Parties } from "../demo/parties.ts";
import {
  COMMISSION_MEMBERS,
  choicesArgument,
  demoSpec,
  expectedCounts,
  keyFiles,
  type PlannedBallot,
  pickBallot,
  REGIONS,
  TRUSTEE_THRESHOLD,
  TRUSTEES,
  VALIDATORS,
} from "../demo/shape.ts";
import { apiRequest } from "../http-client.ts";
import { LocalCluster, pickPorts, until } from "../local-cluster.ts";
import { loadManifest, type ManifestContext, showTime } from "../manifest-file.ts";
import { EXIT, Progress, table } from "../output.ts";
import { keptBackVoters, waitForStopSignal, webAppLines } from "../serve-until-stopped.ts";
import { checkAgainst } from "./receipt.ts";

export const demoHelp = `saylau demo [--dir DIR] [--voters N] [--concurrency C] [--serve] [--open-for S]

Runs a whole election on this machine with every party its own process and directory
under DIR: 3 commission members (2 decide), 3 regional registrars, 4 validators, 3 trustees
(2 decrypt) and N voters, in 3 regions of 2 districts with 4 ballot styles. Prints the
results per district next to what was cast, and audits the exported record.
  --dir DIR          the demo's data directory (default ./demo-data; a previous demo there
                     is replaced). Each party's directory: DIR/commission/<i>,
                     DIR/registrars/<region>, DIR/validators/<i>, DIR/trustees/<i>,
                     DIR/voters/<n>; public files only in DIR/public.
  --voters N         voters, each casting one ballot in its own process, every 20th voting
                     again near the close (default 60)
  --concurrency C    party processes at once (default 4)
  --serve            keep a few voters back for you: print the web app's address, their
                     directories and keys and when the polls close; vote in the browser
                     until then; the demo then decrypts and audits and the validators keep
                     running until Ctrl-C
  --open-for S       with --serve, seconds the polls stay open for you after the demo's
                     own ballots (default 300)
Afterwards: saylau status --node http://127.0.0.1:<port>, or saylau audit --dir DIR/export.`;

const MARKER = ".saylau-demo";

const demoStarted = performance.now();
function log(line: string): void {
  const t = ((performance.now() - demoStarted) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`${line.startsWith("\n") ? "\n" : ""}[${t}s] ${line.trimStart()}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Where each party keeps its files: its own directory, nobody else's. */
export function demoLayout(dir: string) {
  return {
    public: join(dir, "public"),
    member: (i: number) => join(dir, "commission", String(i)),
    registrar: (region: string) => join(dir, "registrars", region),
    validator: (i: number) => join(dir, "validators", String(i)),
    trustee: (i: number) => join(dir, "trustees", String(i)),
    voter: (n: number) => join(dir, "voters", String(n)),
  };
}

function prepareDirectory(dir: string): void {
  if (existsSync(dir)) {
    if (!existsSync(join(dir, MARKER))) {
      throw new SaylauError(
        "cli/exists",
        `${dir} exists and is not a demo directory; give another --dir`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(join(dir, "public"), { recursive: true });
  writeFileSync(join(dir, MARKER), "made by saylau demo; replaced by the next demo run\n");
}

/**
 * The trustees' key ceremony, each trustee its own process and directory, its secrets
 * encrypted at rest with its own passphrase (held only by this process, given to that
 * trustee's processes in SAYLAU_PASSPHRASE, never written down); every message goes
 * through the public bulletin directory. Each step is run by every trustee before the next.
 * Returns the passphrases by trustee index, for the trustees' decryption later.
 */
async function keyCeremony(
  parties: Parties,
  at: ReturnType<typeof demoLayout>,
): Promise<Map<number, string>> {
  const bulletin = join(at.public, keyFiles.bulletin);
  const ceremonyId = randomBytes(32).toString("hex");
  const trustees = Array.from({ length: TRUSTEES }, (_, i) => i + 1);
  const passphrases = new Map(trustees.map((i) => [i, randomBytes(24).toString("base64url")]));
  const step = (name: string, extra: (i: number) => string[] = () => []) =>
    Promise.all(
      trustees.map((i) =>
        parties.run(
          ["trustee", "ceremony", name, "--dir", at.trustee(i), "--public", bulletin, ...extra(i)],
          { SAYLAU_PASSPHRASE: passphrases.get(i)! },
        ),
      ),
    );
  await step("init", (i) => [
    "--index",
    String(i),
    "--ceremony-id",
    ceremonyId,
    "--threshold",
    String(TRUSTEE_THRESHOLD),
    "--trustees",
    String(TRUSTEES),
  ]);
  await step("shares");
  await step("verify");
  await step("finish");
  await parties.run([
    "ceremony",
    "assemble",
    "--public",
    bulletin,
    "--out",
    join(at.public, keyFiles.transcript),
  ]);
  return passphrases;
}

/** Time to allow for a commission decision: two members sign at once, then one submits. */
function extensionMs(stepMs: number): number {
  return Math.max(10_000, 5 * stepMs);
}

interface Extension {
  readonly from: number;
  readonly to: number;
  readonly transaction: string;
}

export async function runDemo(args: string[]): Promise<number> {
  const parsed = parse(args, {
    dir: { type: "string" },
    voters: { type: "string" },
    concurrency: { type: "string" },
    serve: { type: "boolean" },
    "open-for": { type: "string" },
  });
  if (parsed.help) {
    console.log(demoHelp);
    return EXIT.ok;
  }
  const dir = resolve((parsed.values.dir as string | undefined) ?? "demo-data");
  const voterCount = integer(parsed, "voters", 60, 6, 100_000);
  const concurrency = integer(parsed, "concurrency", 4, 1, 256);
  const serve = parsed.values.serve === true;
  const openForMs = serve ? integer(parsed, "open-for", 300, 1, 86_400) * 1000 : 0;
  prepareDirectory(dir);
  const at = demoLayout(dir);
  const pub = at.public;
  const parties = new Parties(concurrency);
  // Each member's key is encrypted with its own passphrase, which only this process holds
  // and hands to that member's processes in their environment.
  const memberPassphrases = Array.from({ length: COMMISSION_MEMBERS }, () =>
    randomBytes(24).toString("base64url"),
  );
  const memberEnv = (i: number) => ({ SAYLAU_PASSPHRASE: memberPassphrases[i]! });
  const ports = await pickPorts(VALIDATORS);

  // 1. Every party makes its own key in its own directory and hands over the public key.
  log(
    `keys: ${TRUSTEES} trustees (the key ceremony), ${COMMISSION_MEMBERS} commission members, ${REGIONS.length} registrars, ${VALIDATORS} validators, ${voterCount} voters, each its own process and directory`,
  );
  const handOver = (from: string, to: string) => copyFileSync(from, join(pub, to));
  const keygens: Promise<void>[] = [];
  for (let i = 0; i < COMMISSION_MEMBERS; i++) {
    keygens.push(
      parties
        .run(["commission", "keygen", "--dir", at.member(i)], memberEnv(i))
        .then(() => handOver(join(at.member(i), "member.pub"), keyFiles.member(i))),
    );
  }
  for (const r of REGIONS) {
    keygens.push(
      parties
        .run(["registrar", "keygen", "--dir", at.registrar(r.id)])
        .then(() => handOver(join(at.registrar(r.id), "registrar.pub"), keyFiles.registrar(r.id))),
    );
  }
  for (let i = 0; i < VALIDATORS; i++) {
    keygens.push(
      parties
        .run(["validator", "keygen", "--dir", at.validator(i)])
        .then(() => handOver(join(at.validator(i), "validator.pub"), keyFiles.validator(i))),
    );
  }
  const voterKeys = new Array<string>(voterCount);
  const keyProgress = new Progress("voter keys", voterCount);
  for (let n = 0; n < voterCount; n++) {
    keygens.push(
      parties.run(["voter", "keygen", "--dir", at.voter(n)]).then((out) => {
        voterKeys[n] = out.trim();
        keyProgress.tick();
      }),
    );
  }
  const [passphrases] = await Promise.all([keyCeremony(parties, at), Promise.all(keygens)]);
  const stepMs = parties.typicalMs(2000);
  log(
    `${parties.runs} party steps done, a party's step takes ${(stepMs / 1000).toFixed(1)} s here; the trustees' key ceremony: ${TRUSTEES} trustees (${TRUSTEE_THRESHOLD} decrypt), its transcript verified`,
  );

  // 2. The schedule, from the measured time of a party's step: open once the validators are
  // up and the commission has approved, close when the ballots should be in, with a margin.
  const keptBack = serve ? keptBackVoters(voterCount) : 0;
  const demoVoters = voterCount - keptBack;
  const lateVoters = Array.from({ length: demoVoters }, (_, n) => n).filter((n) => n % 20 === 0);
  // Measured on a loaded 2-core machine, in party steps: starting the validators and the
  // approval (two members sign at once, then one submits) four to nine, the registration
  // (one process per district) one to five. The polls open at the approval if it comes
  // later than planned. An extension is the same work as the approval: the polls are
  // planned with room for two before they close.
  const ballotMs = (stepMs * 1.5) / concurrency;
  const opensAt = Date.now() + 8 * stepMs + 5_000;
  const plannedClose =
    opensAt +
    8 * stepMs +
    Math.ceil(demoVoters * ballotMs) +
    2 * extensionMs(stepMs) +
    openForMs +
    10_000;
  const closesAtPlanned = Math.ceil(plannedClose / 1000) * 1000;
  const spec = demoSpec({
    trustees: { ceremony: keyFiles.transcript },
    opensAt,
    closesAt: closesAtPlanned,
    ports,
  });
  writeFileSync(join(pub, "spec.json"), `${JSON.stringify(spec, null, 2)}\n`);
  const manifestFile = join(pub, "manifest.cbor");
  await parties.run([
    "election",
    "assemble",
    "--spec",
    join(pub, "spec.json"),
    "--public",
    pub,
    "--out",
    manifestFile,
  ]);
  const ctx = loadManifest(manifestFile);
  const tz = ctx.manifest.schedule.timeZone;
  log(
    `manifest assembled from public files: polls open ${showTime(opensAt, tz)}, close ${showTime(closesAtPlanned, tz)}`,
  );

  // 3. Validators: each writes its config from public information, then runs.
  await Promise.all(
    Array.from({ length: VALIDATORS }, (_, i) =>
      parties.run([
        "validator",
        "config",
        "--dir",
        at.validator(i),
        "--manifest",
        manifestFile,
        "--spec",
        join(pub, "spec.json"),
        "--ceremony",
        join(pub, keyFiles.transcript),
      ]),
    ),
  );
  const cluster = new LocalCluster(dir, VALIDATORS, ports.httpBase);
  const urls = cluster.urls;
  const onInterrupt = () => {
    cluster.killAllNow();
    process.exit(130);
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  try {
    for (let i = 0; i < VALIDATORS; i++) cluster.start(i);
    await cluster.waitReady([0, 1, 2, 3]);
    log(
      `validators up: ${urls.join(" ")} (logs in ${join(at.validator(0), "..", "<i>", "node.log")})`,
    );

    // 4. The commission approves: members 0 and 1 sign, anyone submits.
    const approvalStarted = performance.now();
    const approvals = await Promise.all(
      [0, 1].map(async (m) => {
        const out = join(pub, `approve-${m}.sig`);
        await parties.run(
          [
            "commission",
            "sign",
            "--dir",
            at.member(m),
            "--manifest",
            manifestFile,
            "approve",
            "--out",
            out,
          ],
          memberEnv(m),
        );
        return out;
      }),
    );
    await parties.run([
      "commission",
      "submit",
      "--manifest",
      manifestFile,
      "--node",
      urls[1]!,
      "--signatures",
      ...approvals,
    ]);
    // An extension is the same work: it is started at least this long before the close.
    const guardMs = Math.max(extensionMs(stepMs), 1.5 * (performance.now() - approvalStarted));
    log("the commission approved the manifest (members 0 and 1 of 3 signed)");

    // 5. Registration: each district's voters by its region's registrar.
    const voterDistricts = Array.from(
      { length: voterCount },
      (_, n) => n % ctx.geography.districts.length,
    );
    await Promise.all(
      ctx.geography.districts.map((d) => {
        const keys = voterKeys.filter((_, n) => voterDistricts[n] === d.index);
        const file = join(pub, `voters-${d.id}.txt`);
        writeFileSync(file, `${keys.join("\n")}\n`);
        const region = ctx.manifest.regions[d.region]!.id;
        return parties.run([
          "registrar",
          "register",
          "--dir",
          at.registrar(region),
          "--manifest",
          manifestFile,
          "--district",
          d.id,
          "--keys",
          file,
          "--node",
          urls[d.index % VALIDATORS]!,
        ]);
      }),
    );
    log(
      `${voterCount} voters registered in ${ctx.geography.districts.length} districts by their regions' registrars`,
    );
    // 5b. Voter 0 reports the credential lost: its region's registrar revokes it, the voter
    // makes a new key on its device (a new directory: the old key stays with the lost device)
    // and the registrar registers the replacement to the same district; all on the record.
    const replacement = voterCount;
    {
      const d = ctx.geography.districts[voterDistricts[0]!]!;
      const region = ctx.manifest.regions[d.region]!.id;
      const lost = join(pub, "lost-voter-0.txt");
      writeFileSync(lost, `${voterKeys[0]}\n`);
      await parties.run([
        "registrar",
        "revoke",
        "--dir",
        at.registrar(region),
        "--manifest",
        manifestFile,
        "--keys",
        lost,
        "--node",
        urls[0]!,
      ]);
      const newKey = (
        await parties.run(["voter", "keygen", "--dir", at.voter(replacement)])
      ).trim();
      const fresh = join(pub, "replacement-voter-0.txt");
      writeFileSync(fresh, `${newKey}\n`);
      await parties.run([
        "registrar",
        "register",
        "--dir",
        at.registrar(region),
        "--manifest",
        manifestFile,
        "--district",
        d.id,
        "--keys",
        fresh,
        "--node",
        urls[1]!,
      ]);
      voterDistricts[replacement] = voterDistricts[0]!;
      log(
        `voter 0 reported the credential lost: registrar ${region} revoked it and registered the voter's new key to ${d.id}`,
      );
    }
    if (Date.now() < opensAt) log(`waiting for the polls to open at ${showTime(opensAt, tz)}`);
    await sleep(opensAt - Date.now());

    // 6. Voting: one process per ballot, every 20th voter again later (the later ballot counts).
    const rng = seededRng(sha256(utf8(`saylau demo ${dir} ${opensAt}`)));
    // Voter 0 votes with the replacement key: the revoked one would be refused.
    const keyOf = (voter: number) => (voter === 0 ? replacement : voter);
    const mainBallots: PlannedBallot[] = Array.from({ length: demoVoters }, (_, voter) => ({
      voter: keyOf(voter),
      seq: 1,
      picks: pickBallot(ctx, voterDistricts[voter]!, rng),
    }));
    const lateBallots: PlannedBallot[] = lateVoters.map((voter) => ({
      voter: keyOf(voter),
      seq: 2,
      picks: pickBallot(ctx, voterDistricts[voter]!, rng),
    }));
    const state = {
      live: [0, 1, 2, 3],
      done: 0,
      killedAt: -1,
      restartedAt: -1,
      closesAt: closesAtPlanned,
      firstBallotId: "",
    };
    const total = mainBallots.length + lateBallots.length;
    const progress = new Progress("ballots", total);
    const voteStarted = performance.now();
    const cast = async (b: PlannedBallot, slot: number) => {
      for (let attempt = 0; ; attempt++) {
        const node = state.live[(slot + attempt) % state.live.length]!;
        const r = await parties.tryRun([
          "vote",
          "--dir",
          at.voter(b.voter),
          "--node",
          urls[node]!,
          "--choices",
          choicesArgument(b.picks),
          "--seq",
          String(b.seq),
        ]);
        const id = /^ballot id +([0-9a-f]+)$/m.exec(r.stdout)?.[1];
        if (r.code === 0 && id !== undefined) {
          if (state.firstBallotId === "") state.firstBallotId = id;
          break;
        }
        // A retry after a lost answer finds the ballot already there.
        if (/stale_ballot|duplicate/.test(r.stderr)) break;
        if (attempt >= 5) {
          throw new SaylauError("demo/party_failed", `voter ${b.voter}: ${r.stderr.trim()}`);
        }
        await sleep(300 + attempt * 300);
      }
      state.done++;
      progress.tick(1, state.live.length < VALIDATORS ? "(validator 3 down)" : "");
      if (state.killedAt < 0 && state.done >= mainBallots.length * 0.35) {
        state.killedAt = state.done;
        state.live = [0, 1, 2];
        cluster.kill(3, "SIGKILL");
        log("\nvalidator 3 killed with SIGKILL; voting goes on with 3 of 4");
      }
      if (state.killedAt >= 0 && state.restartedAt < 0 && state.done >= mainBallots.length * 0.6) {
        state.restartedAt = state.done;
        cluster.start(3);
        state.live = [0, 1, 2, 3];
        log("\nvalidator 3 restarted from its data directory");
      }
    };
    log(
      `polls are open: ${mainBallots.length} voters cast their ballots, ${concurrency} at a time`,
    );
    const mainVoting = Promise.all(mainBallots.map((b, i) => cast(b, i)));
    let releaseLate: () => void = () => {};
    const lateReady = new Promise<void>((r) => {
      releaseLate = r;
    });
    const lateVoting = lateReady.then(() => Promise.all(lateBallots.map((b, i) => cast(b, i))));
    const extensions: Extension[] = [];
    let keptBackShown = false;

    // 7. Near each close: if voting is not done, the commission extends (2 of 3 sign).
    let mainDone = false;
    let failure: unknown;
    const mainSettled = mainVoting.then(
      () => {
        mainDone = true;
      },
      (err: unknown) => {
        failure = err;
      },
    );
    lateVoting.catch((err: unknown) => {
      failure = err;
    });
    for (;;) {
      const wait = sleep(state.closesAt - guardMs - Date.now());
      // Until the demo's own ballots are in, wake up when they are (--serve then shows the
      // kept-back voters) or when one fails.
      await (mainDone ? wait : Promise.race([wait, mainSettled]));
      if (failure !== undefined) throw failure;
      if (serve && !keptBackShown && mainDone) {
        keptBackShown = true;
        printKeptBack(at, urls, demoVoters, voterCount, state.closesAt, tz);
      }
      if (Date.now() < state.closesAt - guardMs) continue;
      const pending = total - state.done;
      if (pending === 0) break;
      const elapsed = performance.now() - voteStarted;
      const perBallot = state.done > 0 ? elapsed / state.done : ballotMs;
      const to =
        Math.ceil((Date.now() + guardMs + pending * perBallot * 1.5 + 10_000) / 1000) * 1000;
      log(
        `\n${pending} ballot(s) still to come ${((state.closesAt - Date.now()) / 1000).toFixed(0)} s before the close: the commission extends the polls to ${showTime(to, tz)}`,
      );
      const n = extensions.length;
      const signatures = await Promise.all(
        [0, 2].map(async (m) => {
          const out = join(pub, `extend-${n}-${m}.sig`);
          await parties.run(
            [
              "commission",
              "sign",
              "--dir",
              at.member(m),
              "--manifest",
              manifestFile,
              "extend",
              "--closes-at",
              new Date(to).toISOString(),
              "--out",
              out,
            ],
            memberEnv(m),
          );
          return out;
        }),
      );
      const submitted = await parties.run([
        "commission",
        "submit",
        "--manifest",
        manifestFile,
        "--node",
        urls[0]!,
        "--signatures",
        ...signatures,
      ]);
      const transaction = /transaction ([0-9a-f]+)/.exec(submitted)?.[1] ?? "?";
      extensions.push({ from: state.closesAt, to, transaction });
      log(
        `extension committed (members 0 and 2 of 3 signed, transaction ${transaction.slice(0, 16)}…); the late voters vote now`,
      );
      state.closesAt = to;
      releaseLate();
    }
    await Promise.all([mainVoting, lateVoting]);
    const voteSeconds = (performance.now() - voteStarted) / 1000;
    await until(
      "every ballot to be committed",
      async () => (await apiRequest<ResultsView>(urls[0]!, "/v1/results")).ballots >= total,
      120_000,
    );
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
    log("validator 3 caught up");

    // 8. After the close, trustees 1 and 3 decrypt every district.
    const closesAt = (await apiRequest<TallyView>(urls[0]!, "/v1/tally")).closesAt;
    if (Date.now() < closesAt) log(`waiting for the polls to close at ${showTime(closesAt, tz)}`);
    await sleep(closesAt + 1000 - Date.now());
    log("polls are closed; trustees 1 and 3 decrypt every district");
    await Promise.all([
      parties.run(["trustee", "decrypt", "--dir", at.trustee(1), "--node", urls[0]!], {
        SAYLAU_PASSPHRASE: passphrases.get(1)!,
      }),
      parties.run(["trustee", "decrypt", "--dir", at.trustee(3), "--node", urls[1]!], {
        SAYLAU_PASSPHRASE: passphrases.get(3)!,
      }),
    ]);
    await until(
      "every validator to publish the result",
      async () => {
        const all = await Promise.all(urls.map((u) => apiRequest<ResultsView>(u, "/v1/results")));
        return all.every((r) => r.complete);
      },
      120_000,
    );
    const results = await Promise.all(urls.map((u) => apiRequest<ResultsView>(u, "/v1/results")));
    const agreed = new Set(results.map((r) => JSON.stringify(r.contests))).size === 1;
    const heads = await Promise.all(urls.map((u) => apiRequest<StatusView>(u, "/v1/status")));

    // 9. One receipt, checked offline against the manifest and against another node's head.
    const receiptView = await apiRequest<{ receipt: string; trackingCode: string }>(
      urls[1]!,
      `/v1/ballots/${state.firstBallotId}/receipt`,
    );
    const receipt = decodeReceipt(fromHex(receiptView.receipt));
    verifyReceipt(
      { electionId: ctx.electionId, validators: ctx.manifest.validators.map((v) => v.publicKey) },
      receipt,
    );
    await checkAgainst(urls[2]!, ctx.manifestBytes, receipt);
    writeFileSync(join(dir, "receipt.cbor"), fromHex(receiptView.receipt));
    log(
      `receipt of ballot ${receiptView.trackingCode} verified against the manifest and validator 2's head`,
    );

    // 10. The audit: replay everything from genesis.
    const audit = await runFullAudit(urls[0]!, join(dir, "export"));

    // 11. Summary: per district, what was counted next to what the demo cast.
    const expected = expectedCounts(ctx, voterDistricts, [...mainBallots, ...lateBallots]);
    const final = results[0]!;
    const demoCounted = new Set(mainBallots.map((b) => b.voter)).size;
    const webVoters = final.voters - demoCounted;
    const { rows, matches } = districtRows(ctx, final, expected, serve, webVoters);
    console.log("");
    console.log(
      table([
        ["party processes run", parties.runs],
        ["a party's step (median wall time, s)", Number((parties.typicalMs(0) / 1000).toFixed(2))],
        ["ballots cast (one process each)", total],
        ["voters counted", final.voters],
        ["blocks", heads[0]!.height],
        ["voting time (s)", Number(voteSeconds.toFixed(1))],
        [
          "validator 3 killed after / restarted after",
          `${state.killedAt} / ${state.restartedAt} ballots`,
        ],
        ...extensions.map((e): [string, string] => [
          "polls extended by the commission (2 of 3)",
          `${new Date(e.from).toISOString()} -> ${new Date(e.to).toISOString()}`,
        ]),
        ["all validators agree on the result", agreed ? "yes" : "NO"],
        [
          "audit of the exported record",
          audit.ok ? `passed (${audit.report!.ballotsVerified} ballots re-verified)` : "FAILED",
        ],
      ]),
    );
    console.log("");
    console.log(table(rows));
    console.log("");
    console.log(
      matches
        ? "The decrypted tally of every district matches the ballots cast."
        : "MISMATCH between the tally and the ballots cast.",
    );
    console.log(`Data kept in ${dir}; try: saylau audit --dir ${join(dir, "export")}`);
    const ok = matches && agreed && audit.ok && extensions.length > 0;
    if (serve) {
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

/** The voters kept back for the person at the web app: where they are and their keys. */
function printKeptBack(
  at: ReturnType<typeof demoLayout>,
  urls: readonly string[],
  from: number,
  to: number,
  closesAt: number,
  tz: string,
): void {
  const [first, ...others] = urls;
  console.log("");
  console.log(`The polls are open until ${showTime(closesAt, tz)}; the web app: ${first}/`);
  console.log("  vote there as one of these voters (each directory holds that voter's key):");
  for (let n = from; n < to; n++) {
    const key = readFileSync(join(at.voter(n), "voter.key"), "utf8").trim();
    console.log(`    ${at.voter(n)}`);
    console.log(`    ${key}`);
  }
  console.log(
    `  observer board: ${first}/board.html?nodes=${others.map(encodeURIComponent).join(",")}`,
  );
  console.log(
    "The demo decrypts and audits once the polls close (Ctrl-C stops it with the polls open).",
  );
}

/** One row per district and contest: counted, and what the demo (and the web app) cast. */
export function districtRows(
  ctx: ManifestContext,
  results: ResultsView,
  expected: number[][][],
  serve: boolean,
  webVoters: number,
): { rows: (string | number)[][]; matches: boolean } {
  let matches = true;
  const rows: (string | number)[][] = [
    serve
      ? ["district", "contest", "counted", "cast by the demo", "cast in the web app"]
      : ["district", "contest", "counted", "cast"],
  ];
  for (const d of ctx.geography.districts) {
    d.style.forEach((c, i) => {
      const contest = results.contests[c]!;
      const counted = contest.districts.find((x) => x.id === d.id)?.counts ?? null;
      const want = expected[d.index]![i]!;
      const web = counted === null ? null : counted.map((v, o) => v - want[o]!);
      const ok =
        web !== null &&
        (serve
          ? web.every((v) => v >= 0) && web.reduce((a, b) => a + b, 0) <= webVoters * contest.limit
          : web.every((v) => v === 0));
      if (!ok) matches = false;
      const show = (v: readonly number[] | null) => (v === null ? "-" : v.join(" "));
      rows.push(
        serve
          ? [d.id, contest.label, show(counted), show(want), show(web)]
          : [d.id, contest.label, show(counted), `${show(want)}${ok ? "" : "  MISMATCH"}`],
      );
    });
  }
  return { rows, matches };
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
