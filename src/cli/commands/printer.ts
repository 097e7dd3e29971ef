/**
 * `saylau printer print`: printed credentials for voters without a device (docs/PROTOCOL.md
 * §15, docs/roles-credentials.md). For each sheet it draws a fresh code from the system CSPRNG,
 * derives the credential's public key, writes the sheet (the code, to be printed and sealed in
 * an envelope) and appends the public key to OUT/public-keys.txt, which goes to the registrar.
 * Codes and seeds live only in this process's memory and in the sheet files; the printer
 * keeps no list of codes, no seeds and no rng state, so once the sheets have left with the
 * envelopes it holds nothing secret.
 */
import { appendFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { newPrintedCode } from "../../credential/code.ts";
import { keyPairFromCodeAsync } from "../../credential/kdf.ts";
import { toHex } from "../../crypto/bytes.ts";
import { systemRng } from "../../election/rng.ts";
import { SaylauError } from "../../errors.ts";
import { integer, parse, required } from "../args.ts";
import { EXIT, Progress } from "../output.ts";
import { makePrivateDir, writeSecretFile } from "../secret-file.ts";
import { parseElectionId } from "./voter.ts";

export const printerHelp = `saylau printer print --election-id HEX --count N --out DIR
                     [--start K] [--sheets-into PATTERN]

Prints N credential sheets for the election HEX (64 hex digits), numbered K, K+1, ...
(default K = 1). Each sheet holds one fresh credential code; the code's public key is
appended to DIR/public-keys.txt, one per line in sheet order, for the registrar.

Sheets go to DIR/sheets/<n>.txt, or with --sheets-into to PATTERN/credential-sheet.txt,
where {n} in PATTERN is replaced by the sheet number (e.g. --sheets-into voters/{n}).
Sheet files are mode 0600 and never overwritten. Run it on an offline machine: print the
sheets, seal each in a tamper-evident envelope, and let the sheet files leave with the
envelopes (delete them here). Nothing else the printer writes is secret. Each sheet costs
one scrypt derivation (64 MiB, about half a second per core).`;

export const SHEET_FILE = "credential-sheet.txt";
export const PUBLIC_KEYS_FILE = "public-keys.txt";

export function sheetText(n: number, electionIdHex: string, code: string, publicKey: string) {
  return `Saylau voter credential: sheet ${n}
Election ${electionIdHex}

Your credential code:

    ${code}

Keep this sheet sealed until you vote, and show it to no one: anyone who reads the code
can vote in your name. Type the code into the voting app, or run
    saylau voter key-from-code --dir YOUR_DIR --election-id ${electionIdHex}
If the envelope was open when you received it, ask your registrar for a new credential.

Public key of this credential (not secret): ${publicKey}
`;
}

export function sheetPath(out: string, n: number, pattern: string | undefined): string {
  return pattern === undefined
    ? join(out, "sheets", `${n}.txt`)
    : join(pattern.replaceAll("{n}", String(n)), SHEET_FILE);
}

export interface PrintOptions {
  readonly electionId: Uint8Array;
  readonly count: number;
  readonly start: number;
  readonly out: string;
  readonly sheetsInto?: string | undefined;
}

/** Prints the sheets; returns the public keys in sheet order (hex). */
export async function printSheets(options: PrintOptions): Promise<string[]> {
  const { electionId, count, start, out, sheetsInto } = options;
  if (sheetsInto !== undefined && !sheetsInto.includes("{n}")) {
    throw new SaylauError("cli/usage", "--sheets-into must contain {n}, the sheet number");
  }
  makePrivateDir(out);
  const electionIdHex = toHex(electionId);
  const keysPath = join(out, PUBLIC_KEYS_FILE);
  // Each derivation runs in node:crypto's thread pool: one batch per core at a time.
  const batch = Math.max(1, Math.min(4, availableParallelism()));
  const progress = new Progress("printing", count);
  const keys: string[] = [];
  for (let first = start; first < start + count; first += batch) {
    const numbers = Array.from(
      { length: Math.min(batch, start + count - first) },
      (_, i) => first + i,
    );
    const codes = numbers.map(() => newPrintedCode(systemRng));
    const pairs = await Promise.all(codes.map((code) => keyPairFromCodeAsync(code, electionId)));
    numbers.forEach((n, i) => {
      const publicKey = toHex(pairs[i]!.publicKey);
      const path = sheetPath(out, n, sheetsInto);
      makePrivateDir(dirname(path));
      // The sheet first: every key the registrar receives has a sheet.
      writeSecretFile(path, sheetText(n, electionIdHex, codes[i]!, publicKey));
      appendFileSync(keysPath, `${publicKey}\n`);
      keys.push(publicKey);
      pairs[i]!.seed.fill(0);
    });
    progress.tick(numbers.length);
  }
  return keys;
}

export async function runPrinter(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(rest, {
    "election-id": { type: "string" },
    count: { type: "string" },
    start: { type: "string" },
    out: { type: "string" },
    "sheets-into": { type: "string" },
  });
  if (parsed.help || sub === undefined || sub.startsWith("-")) {
    console.log(printerHelp);
    return parsed.help || sub === "--help" || sub === "-h" ? EXIT.ok : EXIT.usage;
  }
  if (sub !== "print") throw new SaylauError("cli/usage", `unknown printer command "${sub}"`);
  const electionId = parseElectionId(required(parsed, "election-id"));
  const count = integer(parsed, "count", 0, 1, 1_000_000);
  if (count === 0) throw new SaylauError("cli/usage", "--count is required");
  const start = integer(parsed, "start", 1, 0, 1_000_000_000);
  const out = required(parsed, "out");
  const sheetsInto = parsed.values["sheets-into"] as string | undefined;
  await printSheets({ electionId, count, start, out, sheetsInto });
  const where = sheetsInto === undefined ? join(out, "sheets") : sheetsInto;
  console.log(
    `printed sheets ${start}..${start + count - 1} into ${where}; their public keys are appended to ${join(out, PUBLIC_KEYS_FILE)}`,
  );
  console.log("print and seal each sheet, then remove the sheet files from this machine");
  return EXIT.ok;
}
