/**
 * `saylau voter keygen` and `saylau voter key-from-code`: the voter's own key, made on the
 * voter's machine or derived from the code on a printed credential sheet (docs/PROTOCOL.md
 * §15). Either way the seed lands in DIR/voter.key (mode 0600), the file `saylau vote` and the
 * web app read, and only the public key is printed: it is what the registrar registers.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { keyPairFromCodeAsync } from "../../credential/kdf.ts";
import { newVoterKey } from "../../credential/voter-key.ts";
import { bytesEqual, fromHex, toHex } from "../../crypto/bytes.ts";
import type { Ed25519KeyPair } from "../../crypto/ed25519.ts";
import { systemRng } from "../../election/rng.ts";
import { SaylauError } from "../../errors.ts";
import { parse, required } from "../args.ts";
import { readKey } from "../election-dir.ts";
import { EXIT } from "../output.ts";
import { makePrivateDir, writeSecretFile } from "../secret-file.ts";

export const voterHelp = `saylau voter keygen --dir DIR
saylau voter key-from-code --dir DIR --election-id HEX     (the code on stdin)

keygen makes a new voter key from this machine's randomness: DIR/voter.key holds the
secret seed (mode 0600; it never leaves DIR) and DIR/voter.pub the public key. Prints
only the public key, as hex: give it to your registrar.

key-from-code reads the code from a printed credential sheet (five groups of five
characters; case, spaces, dashes, O/0 and I/L/1 do not matter) from the first non-empty
line of stdin, checks it (a mistyped or swapped character is reported before any work),
derives the key for the election HEX (64 hex digits; a code is useless for any other
election; this takes about a second) and stores it in DIR/voter.key like keygen.`;

export const VOTER_KEY_FILE = "voter.key";
export const VOTER_PUBLIC_KEY_FILE = "voter.pub";

/** Stores a key pair in DIR; an existing voter.key is kept unless it holds the same key. */
export function storeVoterKey(dir: string, pair: Ed25519KeyPair): void {
  makePrivateDir(dir);
  const keyPath = join(dir, VOTER_KEY_FILE);
  if (existsSync(keyPath)) {
    if (bytesEqual(readKey(keyPath).seed, pair.seed)) return;
    throw new SaylauError("cli/exists", `${keyPath} already holds another key; not overwritten`);
  }
  writeSecretFile(keyPath, `${toHex(pair.seed)}\n`);
  writeFileSync(join(dir, VOTER_PUBLIC_KEY_FILE), `${toHex(pair.publicKey)}\n`); // public
}

export function parseElectionId(hex: string): Uint8Array {
  try {
    return fromHex(hex.trim().toLowerCase(), 32);
  } catch {
    throw new SaylauError("cli/usage", "--election-id must be 64 hex digits (32 bytes)");
  }
}

/** The first non-empty line of a stream (a person typing, or a pipe); at most 4 KiB. */
async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (line.length > 4096) {
        throw new SaylauError("credential/bad_code", "that line is far too long for a code");
      }
      if (line.trim() !== "") return line;
    }
  } finally {
    lines.close();
  }
  throw new SaylauError("credential/bad_code", "no credential code on stdin");
}

export async function runVoter(
  args: string[],
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(rest, { dir: { type: "string" }, "election-id": { type: "string" } });
  if (parsed.help || sub === undefined || sub.startsWith("-")) {
    console.log(voterHelp);
    return parsed.help || sub === "--help" || sub === "-h" ? EXIT.ok : EXIT.usage;
  }
  const dir = required(parsed, "dir");
  if (sub === "keygen") {
    if (parsed.values["election-id"] !== undefined) {
      throw new SaylauError(
        "cli/usage",
        "keygen takes no --election-id: the key is the voter's own",
      );
    }
    const pair = newVoterKey(systemRng);
    storeVoterKey(dir, pair);
    console.log(toHex(pair.publicKey));
    return EXIT.ok;
  }
  if (sub === "key-from-code") {
    const electionId = parseElectionId(required(parsed, "election-id"));
    if (stdin === process.stdin && process.stdin.isTTY) {
      process.stderr.write("credential code (from your sheet): ");
    }
    const pair = await keyPairFromCodeAsync(await firstLine(stdin), electionId);
    storeVoterKey(dir, pair);
    console.log(toHex(pair.publicKey));
    return EXIT.ok;
  }
  throw new SaylauError("cli/usage", `unknown voter command "${sub}"`);
}
