import { toHex } from "../../crypto/bytes.ts";
import { SaylauError } from "../../errors.ts";
import { ledgerContext } from "../../ledger/context.ts";
import { ballotTx } from "../../ledger/tx-builders.ts";
import type { SubmitResult } from "../../node/api/service.ts";
import { integer, parse, required } from "../args.ts";
import { readManifestBytes, readVoters } from "../election-dir.ts";
import { apiRequest } from "../http-client.ts";
import { EXIT } from "../output.ts";
import { waitCommitted } from "./test-election-parties.ts";

export const voteHelp = `saylau vote --dir DIR --voter N --choices SPEC --node URL [--seq S] [--wait]

Encrypts and signs a ballot with voter N's credential (line N+1 of DIR/voters.txt) and
submits it. The ballot carries the contests of the voter's district, in election order.
SPEC lists the selected option numbers (from 0) per contest on that ballot, contests
separated by ";" — "2" picks option 2 of a single contest; "0;1,3" picks option 0 of the
first contest and options 1 and 3 of the second; an empty part is a blank vote.
Voting again replaces the earlier ballot: the ballot with the highest --seq counts
(default: the current time in ms, so a later vote always wins).
Prints the ballot id and the tracking code to keep for checking your receipt later.`;

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

export async function runVote(args: string[]): Promise<number> {
  const parsed = parse(args, {
    dir: { type: "string" },
    voter: { type: "string" },
    choices: { type: "string" },
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
  const ctx = ledgerContext(readManifestBytes(dir));
  const voters = readVoters(dir);
  const index = integer(parsed, "voter", -1, 0, voters.length - 1);
  if (index < 0) throw new SaylauError("cli/usage", "--voter is required");
  const voter = voters[index]!;
  const crypto = ctx.districtCrypto[voter.district];
  if (crypto === undefined) {
    throw new SaylauError("ledger/unknown_district", `voter ${index}'s district does not exist`);
  }
  const choices = parseChoices(required(parsed, "choices"), crypto.shapes);
  const tx = ballotTx(ctx, voter.key, voter.district, choices, integer(parsed, "seq", Date.now()));
  const result = await apiRequest<SubmitResult>(node, "/v1/ballots", { tx: toHex(tx) });
  console.log(`ballot id      ${result.id}`);
  console.log(`tracking code  ${result.trackingCode}`);
  if (parsed.values.wait === true) {
    const status = await waitCommitted(node, result.id);
    console.log(`committed in block ${status.status === "committed" ? status.height : "?"}`);
  }
  return EXIT.ok;
}
