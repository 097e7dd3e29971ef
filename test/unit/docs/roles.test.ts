/**
 * docs/ROLES.md names, for every line of its table, the rule that enforces it and the test
 * that tries it: every test file it names must exist, and every error code it names must be
 * one the code can raise, so the page cannot point at checks that are not there.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../..");
const roles = readFileSync(join(ROOT, "docs/ROLES.md"), "utf8");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("docs/ROLES.md", () => {
  it("names only test files that exist", () => {
    const named = [...roles.matchAll(/`(test\/[^`*]+\.ts)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    for (const path of named) expect(existsSync(join(ROOT, path)), path).toBe(true);
  });

  it("names only error codes the code raises", () => {
    const code = sources(join(ROOT, "src"))
      .map((p) => readFileSync(p, "utf8"))
      .join("\n");
    const named = [...roles.matchAll(/`((?:ledger|election|ceremony)\/[a-z_]+)`/g)].map(
      (m) => m[1]!,
    );
    expect(named.length).toBeGreaterThan(10);
    for (const c of new Set(named)) expect(code.includes(`"${c}"`), c).toBe(true);
  });
});
