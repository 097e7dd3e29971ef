/**
 * `saylau voter keygen|key-from-code` and `saylau printer print` through main(): key files
 * are mode 0600 in a 0700 directory and never overwritten, keygen prints only the public key,
 * the printer's output directory holds no code once it is done when the sheets go elsewhere,
 * and every sheet's code derives exactly the public key the registrar receives for it.
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runVoter } from "../../../src/cli/commands/voter.ts";
import { readKey } from "../../../src/cli/election-dir.ts";
import { main } from "../../../src/cli/main.ts";
import { describeError } from "../../../src/cli/output.ts";
import { parseCode } from "../../../src/credential/code.ts";
import { toHex } from "../../../src/crypto/bytes.ts";

const root = mkdtempSync(join(tmpdir(), "saylau-credential-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ELECTION = "cbe649178af12b85baa7328121f0e90fe793deb7b30781d166171d9279b7823b";

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs `run()` capturing console and stdout/stderr writes. */
async function capture(run: () => Promise<number>): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    vi
      .spyOn(console, "log")
      .mockImplementation((...a: unknown[]) => void out.push(`${a.join(" ")}\n`)),
    vi
      .spyOn(console, "error")
      .mockImplementation((...a: unknown[]) => void err.push(`${a.join(" ")}\n`)),
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    }),
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    }),
  ];
  try {
    const code = await run();
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
const saylau = (...args: string[]) => capture(() => main(args));

/** key-from-code with `text` on stdin, through main()'s error handling. */
async function keyFromCode(dir: string, text: string): Promise<Run> {
  return capture(async () => {
    try {
      return await runVoter(
        ["key-from-code", "--dir", dir, "--election-id", ELECTION],
        Readable.from([text]),
      );
    } catch (err) {
      console.error(describeError(err));
      return 1;
    }
  });
}

const mode = (path: string) => statSync(path).mode & 0o777;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** The code printed on a sheet (the indented line of five groups). */
function codeOnSheet(text: string): string {
  const m = text.match(/^ {4}([0-9A-Z]{5}(?:-[0-9A-Z]{5}){4})$/m);
  if (m === null) throw new Error(`no code on the sheet:\n${text}`);
  return m[1]!;
}

describe("saylau voter keygen", () => {
  it("writes the seed with mode 0600 in a 0700 directory and prints only the public key", async () => {
    const dir = join(root, "keygen", "voter");
    const run = await saylau("voter", "keygen", "--dir", dir);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^[0-9a-f]{64}\n$/);
    expect(run.err).toBe("");
    expect(mode(join(dir, "voter.key"))).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    const pair = readKey(join(dir, "voter.key"));
    expect(toHex(pair.publicKey)).toBe(run.out.trim());
    expect(run.out).not.toContain(toHex(pair.seed));
    expect(readFileSync(join(dir, "voter.pub"), "utf8")).toBe(run.out);
  });

  it("never overwrites a key", async () => {
    const dir = join(root, "keygen", "twice");
    expect((await saylau("voter", "keygen", "--dir", dir)).code).toBe(0);
    const before = readFileSync(join(dir, "voter.key"), "utf8");
    const again = await saylau("voter", "keygen", "--dir", dir);
    expect(again.code).toBe(1);
    expect(again.err).toContain("cli/exists");
    expect(readFileSync(join(dir, "voter.key"), "utf8")).toBe(before);
  });

  it("explains itself and refuses unknown subcommands", async () => {
    expect((await saylau("voter", "--help")).out).toContain("saylau voter keygen --dir DIR");
    expect((await saylau("voter", "sign", "--dir", root)).code).toBe(2);
    expect((await saylau("printer", "--help")).out).toContain("--sheets-into");
  });
});

describe("saylau printer print", () => {
  it("with --sheets-into: each voter's sheet in its own directory, no code left in OUT", async () => {
    const out = join(root, "printer-a");
    const voters = join(root, "voters-a");
    const run = await saylau(
      "printer",
      "print",
      "--election-id",
      ELECTION,
      "--count",
      "3",
      "--out",
      out,
      "--sheets-into",
      join(voters, "{n}"),
    );
    expect(run.code, run.err).toBe(0);
    const keys = readFileSync(join(out, "public-keys.txt"), "utf8").trim().split("\n");
    expect(keys).toHaveLength(3);
    expect(filesUnder(out)).toEqual([join(out, "public-keys.txt")]);
    const everythingInOut = filesUnder(out)
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    for (let n = 1; n <= 3; n++) {
      const sheet = join(voters, String(n), "credential-sheet.txt");
      expect(mode(sheet)).toBe(0o600);
      const text = readFileSync(sheet, "utf8");
      const code = codeOnSheet(text);
      expect(text).toContain(ELECTION);
      expect(text).toContain(keys[n - 1]);
      // Neither the printed nor the canonical form, in any case, is anywhere in OUT.
      for (const form of [code, parseCode(code)]) {
        expect(everythingInOut.toUpperCase()).not.toContain(form);
      }
      // The voter's key from the sheet is the key the registrar got for sheet n.
      const voterDir = join(voters, String(n));
      const derived = await keyFromCode(voterDir, `${code.toLowerCase()}\n`);
      expect(derived.code, derived.err).toBe(0);
      expect(derived.out.trim()).toBe(keys[n - 1]);
      expect(mode(join(voterDir, "voter.key"))).toBe(0o600);
    }
  });

  it("without it: OUT/sheets/<n>.txt; --start numbers a second batch and appends its keys", async () => {
    const out = join(root, "printer-b");
    const first = await saylau(
      "printer",
      "print",
      "--election-id",
      ELECTION,
      "--count",
      "1",
      "--out",
      out,
    );
    expect(first.code, first.err).toBe(0);
    const second = await saylau(
      "printer",
      "print",
      "--election-id",
      ELECTION,
      "--count",
      "1",
      "--start",
      "2",
      "--out",
      out,
    );
    expect(second.code, second.err).toBe(0);
    expect(readdirSync(join(out, "sheets")).sort()).toEqual(["1.txt", "2.txt"]);
    const keys = readFileSync(join(out, "public-keys.txt"), "utf8").trim().split("\n");
    expect(keys).toHaveLength(2);
    expect(mode(join(out, "sheets", "2.txt"))).toBe(0o600);
    const code = codeOnSheet(readFileSync(join(out, "sheets", "2.txt"), "utf8"));
    expect((await keyFromCode(join(root, "voter-b"), `  ${code}  \n`)).out.trim()).toBe(keys[1]);
    // Printing sheet 2 again would overwrite it: refused, and no key is appended.
    const again = await saylau(
      "printer",
      "print",
      "--election-id",
      ELECTION,
      "--count",
      "1",
      "--start",
      "2",
      "--out",
      out,
    );
    expect(again.code).toBe(1);
    expect(again.err).toContain("cli/exists");
    expect(readFileSync(join(out, "public-keys.txt"), "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("usage errors: a pattern without {n}, a bad election id, no count", async () => {
    const out = join(root, "printer-c");
    const base = ["printer", "print", "--out", out];
    expect(
      (
        await saylau(
          ...base,
          "--election-id",
          ELECTION,
          "--count",
          "2",
          "--sheets-into",
          join(root, "x"),
        )
      ).code,
    ).toBe(2);
    expect((await saylau(...base, "--election-id", "abcd", "--count", "2")).code).toBe(2);
    expect((await saylau(...base, "--election-id", ELECTION)).code).toBe(2);
    expect(existsSync(join(out, "public-keys.txt"))).toBe(false);
  });
});

describe("saylau voter key-from-code", () => {
  const code = "KZ726-YZW3N-C19VC-FFKAA-MACWY"; // docs/PROTOCOL.md §15.5
  const publicKey = "1232f9b668121af843e9ab729cb1418f8296519134b012f9e23d0b58793a7da4";

  it("a typo is reported and no key file is written", async () => {
    const dir = join(root, "typo");
    const run = await keyFromCode(dir, "KZ726-YZW3N-C19VC-FFKAA-MACYW\n");
    expect(run.code).toBe(1);
    expect(run.err).toContain("credential/typo");
    expect(existsSync(join(dir, "voter.key"))).toBe(false);
    expect((await keyFromCode(dir, "\n\n")).err).toContain("credential/bad_code");
    expect((await keyFromCode(dir, `${"A".repeat(5000)}\n`)).err).toContain(
      "credential/bad_code: that line is far too long",
    );
  });

  it("stores the worked example's key; the same code again is fine, another key is not overwritten", async () => {
    const dir = join(root, "example");
    const run = await keyFromCode(dir, `\n${code}\n`);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe(`${publicKey}\n`);
    expect(mode(join(dir, "voter.key"))).toBe(0o600);
    expect((await keyFromCode(dir, code)).code).toBe(0);
    const other = join(root, "other");
    expect((await saylau("voter", "keygen", "--dir", other)).code).toBe(0);
    const clash = await keyFromCode(other, code);
    expect(clash.code).toBe(1);
    expect(clash.err).toContain("cli/exists");
  });
});
