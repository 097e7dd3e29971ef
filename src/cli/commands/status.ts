import type { ResultsView, StatusView } from "../../node/api/service.ts";
import { parse, required } from "../args.ts";
import { apiRequest } from "../http-client.ts";
import { EXIT, table } from "../output.ts";
import { formatResults } from "../results-table.ts";

export const statusHelp = `saylau status --node URL [--json]

Prints a validator's view: height, phase, pending pool, connected peers, and the results
per district, region and in total as the trustees decrypt them.`;

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
      ["polls close", new Date(results.closesAt).toISOString()],
      ["credentials", results.credentials],
      ["  revoked", results.revoked],
      ["ballots", results.ballots],
      ["voters counted", results.voters],
      [
        "districts decrypted",
        `${results.districts.filter((d) => d.decrypted).length}/${results.districts.length}`,
      ],
    ]),
  );
  console.log(`\n${formatResults(results)}`);
  return EXIT.ok;
}
