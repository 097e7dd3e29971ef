import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromHex, toHex } from "../../crypto/bytes.ts";
import type { Contest } from "../../election/description.ts";
import { SaylauError } from "../../errors.ts";
import { ledgerContext } from "../../ledger/context.ts";
import { createElection } from "../../ledger/election-setup.ts";
import { integer, parse, required } from "../args.ts";
import { assembleManifest } from "../assemble.ts";
import { writeElectionDirectory } from "../election-dir.ts";
import { readElectionSpec } from "../election-spec.ts";
import { showTime } from "../manifest-file.ts";
import { EXIT } from "../output.ts";

export const electionHelp = `saylau election assemble --spec FILE --public DIR --out FILE
saylau election init --dir DIR [options]          (a test election: see below)

assemble  the coordinator builds the manifest (the genesis) from public files only: the
          spec FILE (JSON: name, schedule in UTC with its time zone, the commission's
          threshold and members, validators with their network addresses, regions with
          their registrars and districts, contests with their scopes, the trustees' part;
          docs/roles-cli.md) and the public key files and ceremony output it names, which
          are read from DIR. Writes the manifest to --out and prints the election id.
          Every party then checks the manifest before anything is signed.

init      TEST ELECTIONS ONLY: writes every party's secrets into one directory (commission,
          registrars, validators, trustees with a key ceremony run in this one process, and
          voter credentials), for tests and benchmarks. Never for a real election: there
          each party runs its own keygen on its own machine (saylau commission|registrar|
          validator keygen, the trustees' ceremony, saylau voter keygen).
  --dir DIR            empty directory to write (required)
  --name TEXT          election name (default "Saylau test election")
  --validators N       validators, 4 tolerates 1 faulty (default 4)
  --trustees N         trustees holding key shares (default 3)
  --threshold T        trustees needed to decrypt (default 2)
  --voters N           voter credentials to create (default 1000)
  --contest SPEC       "Label:option,option,...:limit"; repeatable
                       (default "Mayor:Aigerim,Bauyrzhan,Dana,Yerlan,Zhanna:1")
  --host ADDR          address the validators listen on (default 127.0.0.1)
  --p2p-base PORT      validator i listens for peers on PORT+i (default 7100)
  --http-base PORT     validator i serves its API on PORT+i (default 8100)
  --seed HEX           32-byte master seed for a reproducible election (default: random)`;

const DEFAULT_CONTEST = "Mayor:Aigerim,Bauyrzhan,Dana,Yerlan,Zhanna:1";

export function parseContest(spec: string): Contest {
  const parts = spec.split(":");
  const [label, options, limit] = parts;
  if (parts.length !== 3 || !label || !options || !/^\d+$/.test(limit ?? "")) {
    throw new SaylauError(
      "cli/usage",
      `--contest must look like "Label:option,option:limit", got "${spec}"`,
    );
  }
  return { label, options: options.split(",").map((o) => o.trim()), limit: Number(limit) };
}

export async function runElection(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "assemble") return assemble(rest);
  const parsed = parse(rest, {
    dir: { type: "string" },
    name: { type: "string" },
    validators: { type: "string" },
    trustees: { type: "string" },
    threshold: { type: "string" },
    voters: { type: "string" },
    contest: { type: "string", multiple: true },
    host: { type: "string" },
    "p2p-base": { type: "string" },
    "http-base": { type: "string" },
    seed: { type: "string" },
  });
  if (parsed.help || sub === "--help" || sub === "-h" || sub === undefined) {
    console.log(electionHelp);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== "init")
    throw new SaylauError(
      "cli/usage",
      `unknown election command "${sub}"; try: saylau election assemble, or saylau election init for a test election`,
    );
  const dir = required(parsed, "dir");
  const contests = ((parsed.values.contest as string[] | undefined) ?? [DEFAULT_CONTEST]).map(
    parseContest,
  );
  const seed =
    typeof parsed.values.seed === "string"
      ? fromHex(parsed.values.seed, 32)
      : new Uint8Array(randomBytes(32));
  const voters = integer(parsed, "voters", 1000, 0, 10_000_000);
  const started = Date.now();
  process.stderr.write(`creating the election (key ceremony, ${voters} voter credentials)...\n`);
  const setup = createElection({
    name: (parsed.values.name as string | undefined) ?? "Saylau test election",
    createdAt: Date.now(),
    seed,
    validators: integer(parsed, "validators", 4, 1, 64),
    trustees: integer(parsed, "trustees", 3, 1, 64),
    threshold: integer(parsed, "threshold", 2, 1, 64),
    voters,
    contests,
  });
  const host = (parsed.values.host as string | undefined) ?? "127.0.0.1";
  writeElectionDirectory(dir, setup, {
    host,
    p2pBase: integer(parsed, "p2p-base", 7100, 1, 65000),
    httpBase: integer(parsed, "http-base", 8100, 1, 65000),
  });
  console.log(`election ${toHex(setup.electionId)}`);
  console.log(`written to ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(
    `start validator i with: saylau node start --config ${join(dir, "validators", "<i>", "config.json")}`,
  );
  return EXIT.ok;
}

async function assemble(args: string[]): Promise<number> {
  const parsed = parse(args, {
    spec: { type: "string" },
    public: { type: "string" },
    out: { type: "string" },
  });
  if (parsed.help) {
    console.log(electionHelp);
    return EXIT.ok;
  }
  const spec = readElectionSpec(required(parsed, "spec"));
  const bytes = assembleManifest(spec, required(parsed, "public"), Date.now());
  const out = required(parsed, "out");
  if (existsSync(out)) throw new SaylauError("cli/exists", `${out} exists; not overwritten`);
  writeFileSync(out, bytes);
  const ctx = ledgerContext(bytes);
  const { schedule } = ctx.manifest;
  console.log(`election ${toHex(ctx.electionId)}`);
  console.log(`manifest written to ${out} (${bytes.length} bytes)`);
  console.log(`polls open  ${showTime(schedule.opensAt, schedule.timeZone)}`);
  console.log(`polls close ${showTime(schedule.closesAt, schedule.timeZone)}`);
  console.log(
    `${ctx.manifest.commission.members.length} commission members (${ctx.manifest.commission.threshold} to decide), ${ctx.manifest.validators.length} validators, ${ctx.manifest.regions.length} regions, ${ctx.geography.districts.length} districts, ${ctx.manifest.scopes.length} contests`,
  );
  return EXIT.ok;
}
