/**
 * The `saylau` command. Every subcommand prints its own help with --help. Exit codes:
 * 0 success, 1 the operation failed or something did not verify, 2 usage error,
 * 3 a file, node or port could not be reached.
 */

import { arithmeticFromEnv } from "../verify/arithmetic-from-env.ts";
import { describeError, EXIT, exitCodeFor } from "./output.ts";

type Command = { run: (args: string[]) => Promise<number>; summary: string };

/**
 * Each command's module is loaded when it runs: a party's short command (a keygen, a
 * signature, a vote) does not pay for loading the validator, the API server and the audit.
 */
function lazy(load: () => Promise<Command["run"]>): Command["run"] {
  return async (args) => (await load())(args);
}

const COMMANDS: Record<string, Command> = {
  demo: {
    run: lazy(async () => (await import("./commands/demo.ts")).runDemo),
    summary: "a whole election, every party its own process and directory, end to end",
  },
  election: {
    run: lazy(async () => (await import("./commands/election.ts")).runElection),
    summary: "election assemble: the manifest from public files (init: a test election)",
  },
  commission: {
    run: lazy(async () => (await import("./commands/commission.ts")).runCommission),
    summary: "commission keygen|sign|submit: a member's key; k-of-m decisions",
  },
  registrar: {
    run: lazy(async () => (await import("./commands/registrar.ts")).runRegistrar),
    summary: "registrar keygen|register|revoke: a region's voter registration",
  },
  validator: {
    run: lazy(async () => (await import("./commands/validator.ts")).runValidator),
    summary: "validator keygen|config: a validator's key and config",
  },
  node: {
    run: lazy(async () => (await import("./commands/node.ts")).runNode),
    summary:
      "node start|resync|state-sync: run a validator; rebuild a damaged store; catch up from a snapshot",
  },
  voter: {
    run: lazy(async () => (await import("./commands/voter.ts")).runVoter),
    summary: "voter keygen|key-from-code: the voter's own key",
  },
  printer: {
    run: lazy(async () => (await import("./commands/printer.ts")).runPrinter),
    summary: "printer print: sealed credential sheets for voters",
  },
  vote: {
    run: lazy(async () => (await import("./commands/vote.ts")).runVote),
    summary: "cast an encrypted ballot with the voter's key",
  },
  trustee: {
    run: lazy(async () => (await import("./commands/trustee.ts")).runTrustee),
    summary: "trustee ceremony|decrypt: the key ceremony; a share of each district's tally",
  },
  ceremony: {
    run: lazy(async () => (await import("./commands/trustee-ceremony.ts")).runCeremony),
    summary: "ceremony assemble: the key ceremony's transcript",
  },
  voters: {
    run: lazy(async () => (await import("./commands/test-election-parties.ts")).runVoters),
    summary: "voters register: a test election's registrations (test directory only)",
  },
  receipt: {
    run: lazy(async () => (await import("./commands/receipt.ts")).runReceipt),
    summary: "receipt fetch|verify: prove a ballot is in the ledger",
  },
  status: {
    run: lazy(async () => (await import("./commands/status.ts")).runStatus),
    summary: "a validator's status and the result",
  },
  audit: {
    run: lazy(async () => (await import("./commands/audit.ts")).runAudit),
    summary: "replay the whole ledger from genesis and re-verify everything",
  },
  export: {
    run: lazy(async () => (await import("./commands/export.ts")).runExport),
    summary: "write the complete election record to a directory",
  },
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
