import type { ResultsView, StatusView } from "../../node/api/service.ts";
import { parse, required } from "../args.ts";
import { apiRequest } from "../http-client.ts";
import { EXIT, table } from "../output.ts";

export const statusHelp = `saylau status --node URL [--json]

Prints a validator's view: height, phase, pending pool, connected peers, and the result
once the trustees have decrypted it.`;

export async function runStatus(args: string[]): Promise<number> {
  const parsed = parse(args, { node: { type: "string" }, json: { type: "boolean" } });
  if (parsed.help) {
    console.log(statusHelp);
    return EXIT.ok;
  }
  const node = required(parsed, "node");
  const status = await apiRequest<StatusView>(node, "/v1/status");
  const results = await apiRequest<ResultsView>(node, "/v1/results");
  if (parsed.values.json === true) {
    console.log(JSON.stringify({ status, results }, null, 2));
    return EXIT.ok;
  }
  console.log(
    table([
      ["validator", status.validator],
      ["height", status.height],
      ["transactions", status.logSize],
      ["phase", status.phase],
      ["pending", status.mempool],
      ["peers", status.peers.join(",") || "none"],
      ["credentials", results.credentials],
      ["ballots", results.ballots],
      ["voters counted", results.voters],
      ["decryptions", `${results.decryptions.length}/${results.threshold}`],
    ]),
  );
  if (results.result !== null) {
    for (const contest of results.result) {
      console.log(`\n${contest.label}`);
      console.log(table(contest.options.map((o) => [`  ${o.label}`, o.votes])));
    }
  }
  return EXIT.ok;
}
