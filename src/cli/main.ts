/**
 * The `saylau` command. Every subcommand prints its own help with --help. Exit codes:
 * 0 success, 1 the operation failed or something did not verify, 2 usage error,
 * 3 a file, node or port could not be reached.
 */

import { arithmeticFromEnv } from "../verify/arithmetic-from-env.ts";
import { runAudit } from "./commands/audit.ts";
import { runDemo } from "./commands/demo.ts";
import { runElection } from "./commands/election.ts";
import { runExport } from "./commands/export.ts";
import { runNode } from "./commands/node.ts";
import { runPrinter } from "./commands/printer.ts";
import { runReceipt } from "./commands/receipt.ts";
import { runStatus } from "./commands/status.ts";
import { runCommission, runVoters } from "./commands/test-election-parties.ts";
import { runTrustee } from "./commands/trustee.ts";
import { runCeremony } from "./commands/trustee-ceremony.ts";
import { runVote } from "./commands/vote.ts";
import { runVoter } from "./commands/voter.ts";
import { describeError, EXIT, exitCodeFor } from "./output.ts";

type Command = { run: (args: string[]) => Promise<number>; summary: string };

const COMMANDS: Record<string, Command> = {
  demo: { run: runDemo, summary: "run a whole election on 4 local validators, end to end" },
  election: {
    run: runElection,
    summary: "election init: a test election, every party's keys in one directory",
  },
  node: { run: runNode, summary: "node start|resync: run a validator; rebuild a damaged store" },
  voters: {
    run: runVoters,
    summary: "voters register: registrars register the credentials (test directory)",
  },
  commission: {
    run: runCommission,
    summary: "commission approve|extend: a k-of-m commission decision (test directory)",
  },
  vote: { run: runVote, summary: "cast an encrypted ballot" },
  receipt: { run: runReceipt, summary: "receipt fetch|verify: prove a ballot is in the ledger" },
  trustee: {
    run: runTrustee,
    summary: "trustee decrypt|ceremony: a trustee's share of the tally; the key ceremony",
  },
  ceremony: { run: runCeremony, summary: "ceremony assemble: the key ceremony's transcript" },
  status: { run: runStatus, summary: "a validator's status and the result" },
  audit: {
    run: runAudit,
    summary: "replay the whole ledger from genesis and re-verify everything",
  },
  export: { run: runExport, summary: "write the complete election record to a directory" },
  voter: { run: runVoter, summary: "voter keygen|key-from-code: the voter's own key" },
  printer: { run: runPrinter, summary: "printer print: sealed credential sheets for voters" },
};

export function registerCommand(name: string, command: Command): void {
  COMMANDS[name] = command;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    "saylau: a verifiable election ledger",
    "",
    "usage: saylau <command> [options]     (saylau <command> --help for details)",
    "",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    arithmeticFromEnv(); // SAYLAU_ARITHMETIC=js: pure-JS verification (docs/ELECTION-CRYPTO.md)
    return await command.run(rest);
  } catch (err) {
    console.error(describeError(err));
    return exitCodeFor(err);
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
