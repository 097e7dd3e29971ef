import { fromHex, toHex } from "../../crypto/bytes.ts";
import type { Ed25519KeyPair } from "../../crypto/ed25519.ts";
import { SaylauError } from "../../errors.ts";
import { ledgerContext } from "../../ledger/context.ts";
import { ballotTx } from "../../ledger/tx-builders.ts";
import type { CredentialView, ElectionView, SubmitResult } from "../../node/api/service.ts";
import { integer, type Parsed, parse, required } from "../args.ts";
import { readManifestBytes, readVoters } from "../election-dir.ts";
import { apiRequest } from "../http-client.ts";
import { loadManifest, type ManifestContext } from "../manifest-file.ts";
import { EXIT } from "../output.ts";
import { readPartyKey } from "../party-keys.ts";
import { waitCommitted } from "../submit.ts";

export const voteHelp = `saylau vote --dir DIR --node URL [--choices SPEC] [--manifest FILE] [--seq S] [--wait]
saylau vote --dir TESTDIR --voter N --choices SPEC --node URL   (a test election's voter N)

Casts the voter's ballot: DIR is the voter's own directory, holding DIR/voter.key (from
saylau voter keygen). Looks the key up on the validator (GET /v1/credentials/<key>) for the
district it is registered to, and fills in that district's ballot: the contests whose scope
contains the district, in election order. Without --choices it only shows that ballot.
The manifest comes from --manifest FILE (checked against the validator's election id), or
else from the validator. SPEC lists the selected option numbers (from 0) per contest on
that ballot, contests separated by ";" — "2" picks option 2 of a single contest; "0;1,3"
picks option 0 of the first contest and options 1 and 3 of the second; an empty part is a
blank vote. Voting again replaces the earlier ballot: the ballot with the highest --seq
counts (default: the current time in ms, so a later vote always wins). Prints the ballot id
and the tracking code to keep for checking your receipt later. --wait: until committed.

With --voter N, DIR is a test election directory (saylau election init) and the key is
line N+1 of DIR/voters.txt.`;

/** "0;1,3" -> per contest, a 0/1 vector of the contest's option count. */
export function parseChoices(
  spec: string,
  shapes: readonly { options: number; limit: number }[],
): number[][] {
  const parts = spec.split(";");
  if (parts.length !== shapes.length) {
    throw new SaylauError(
      "cli/usage",
      `--choices names ${parts.length} contests; the ballot has ${shapes.length}`,
    );
  }
  return parts.map((part, i) => {
    const shape = shapes[i]!;
    const row = new Array<number>(shape.options).fill(0);
    const picks = part.trim() === "" ? [] : part.split(",").map((p) => p.trim());
    for (const p of picks) {
      if (!/^\d+$/.test(p) || Number(p) >= shape.options) {
        throw new SaylauError(
          "cli/usage",
          `contest ${i} has options 0..${shape.options - 1}; "${p}" is not one`,
        );
      }
      row[Number(p)] = 1;
    }
    if (picks.length > shape.limit) {
      throw new SaylauError("cli/usage", `contest ${i} allows at most ${shape.limit} selections`);
    }
    return row;
  });
}

interface Voter {
  readonly ctx: ManifestContext;
  readonly key: Ed25519KeyPair;
  readonly district: number;
}

/** A voter of a test election directory: key and district from DIR/voters.txt. */
function testElectionVoter(dir: string, parsed: Parsed): Voter {
  const ctx = ledgerContext(readManifestBytes(dir));
  const voters = readVoters(dir);
  const index = integer(parsed, "voter", -1, 0, voters.length - 1);
  const voter = voters[index]!;
  return { ctx, key: voter.key, district: voter.district };
}

/** The voter's own key, its district as the ledger has it, and the manifest. */
async function ownVoter(dir: string, node: string, manifestFile: string | undefined) {
  const key = readPartyKey(dir, "voter");
  const [election, credential] = await Promise.all([
    apiRequest<ElectionView>(node, "/v1/election"),
    apiRequest<CredentialView>(node, `/v1/credentials/${toHex(key.publicKey)}`),
  ]);
  const ctx =
    manifestFile === undefined
      ? ledgerContext(fromHex(election.manifest))
      : loadManifest(manifestFile);
  if (toHex(ctx.electionId) !== election.electionId) {
    throw new SaylauError(
      "cli/other_election",
      `${node} runs election ${election.electionId}, not the manifest's ${toHex(ctx.electionId)}`,
    );
  }
  if (credential.revoked) {
    throw new SaylauError("ledger/revoked_credential", "this voter key has been revoked");
  }
  return { ctx, key, district: credential.district };
}

/** The ballot of a district, as lines a person reads before choosing. */
export function ballotLines(ctx: ManifestContext, district: number): string[] {
  const info = ctx.geography.districts[district]!;
  const region = ctx.manifest.regions[info.region]!;
  const lines = [`district ${info.id} (${info.name}), region ${region.id} (${region.name})`];
  info.style.forEach((contest, i) => {
    const c = ctx.manifest.election.contests[contest]!;
    lines.push(
      `contest ${i}: ${c.label} (choose up to ${c.limit})`,
      ...c.options.map((o, j) => `  ${j}  ${o}`),
    );
  });
  return lines;
}

export async function runVote(args: string[]): Promise<number> {
  const parsed = parse(args, {
    dir: { type: "string" },
    voter: { type: "string" },
    choices: { type: "string" },
    manifest: { type: "string" },
    node: { type: "string" },
    seq: { type: "string" },
    wait: { type: "boolean" },
  });
  if (parsed.help) {
    console.log(voteHelp);
    return EXIT.ok;
  }
  const dir = required(parsed, "dir");
  const node = required(parsed, "node");
  const { ctx, key, district } =
    parsed.values.voter !== undefined
      ? testElectionVoter(dir, parsed)
      : await ownVoter(dir, node, parsed.values.manifest as string | undefined);
  const crypto = ctx.districtCrypto[district];
  if (crypto === undefined) {
    throw new SaylauError(
      "ledger/unknown_district",
      `the voter's district ${district} does not exist`,
    );
  }
  if (parsed.values.choices === undefined) {
    for (const line of ballotLines(ctx, district)) console.log(line);
    console.log(
      `vote with --choices, one part per contest, e.g. "${crypto.shapes.map(() => "0").join(";")}"`,
    );
    return EXIT.ok;
  }
  const choices = parseChoices(required(parsed, "choices"), crypto.shapes);
  const tx = ballotTx(ctx, key, district, choices, integer(parsed, "seq", Date.now()));
  const result = await apiRequest<SubmitResult>(node, "/v1/ballots", { tx: toHex(tx) });
  console.log(`ballot id      ${result.id}`);
  console.log(`tracking code  ${result.trackingCode}`);
  if (parsed.values.wait === true) {
    const status = await waitCommitted(node, result.id);
    console.log(`committed in block ${status.status === "committed" ? status.height : "?"}`);
  }
  return EXIT.ok;
}
