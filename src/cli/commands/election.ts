import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fromHex, toHex } from "../../crypto/bytes.ts";
import type { Contest } from "../../election/description.ts";
import { SaylauError } from "../../errors.ts";
import { createElection } from "../../ledger/election-setup.ts";
import { integer, parse, required } from "../args.ts";
import { writeElectionDirectory } from "../election-dir.ts";
import { EXIT } from "../output.ts";

export const electionHelp = `saylau election init --dir DIR [options]

Creates an election: authority, validator and trustee keys, the trustees' key ceremony,
voter credentials, the manifest (genesis) and one node configuration per validator.

  --dir DIR            empty directory to write (required)
  --name TEXT          election name (default "Saylau demo election")
  --validators N       validators, 4 tolerates 1 faulty (default 4)
  --trustees N         trustees holding key shares (default 3)
  --threshold T        trustees needed to decrypt (default 2)
  --voters N           voter credentials to create (default 1000)
  --contest SPEC       "Label:option,option,...:limit"; repeatable
                       (default "Mayor:Aigerim,Bauyrzhan,Dana,Yerlan,Zhanna:1")
  --host ADDR          address the validators listen on (default 127.0.0.1)
  --p2p-base PORT      validator i listens for peers on PORT+i (default 7100)
  --http-base PORT     validator i serves its API on PORT+i (default 8100)
  --seed HEX           32-byte master seed for a reproducible election (default: random)

The key ceremony here runs every trustee's part in this one process from the seed: right
for a demo or a test. In a real election each trustee runs their part on their own machine.`;

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
      `unknown election command "${sub}"; try: saylau election init`,
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
    name: (parsed.values.name as string | undefined) ?? "Saylau demo election",
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
