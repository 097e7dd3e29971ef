/**
 * docs/NODE.md lists the HTTP API's error codes for client authors: the list must be exactly
 * the codes the API maps to statuses (src/node/api/error-status.ts), with the same statuses.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STATUS_BY_CODE } from "../../../../src/node/api/error-status.ts";

function documentedCodes(): Record<string, number> {
  const doc = readFileSync(join(import.meta.dirname, "../../../../docs/NODE.md"), "utf8");
  const start = doc.indexOf("\n## HTTP API errors\n");
  expect(start).toBeGreaterThan(0);
  const end = doc.indexOf("\n## ", start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  const rows: Record<string, number> = {};
  for (const m of section.matchAll(/^\| `([a-z_]+\/[a-z_]+)` \| (\d{3}) \|/gm)) {
    expect(rows[m[1]!], `${m[1]} listed twice`).toBeUndefined();
    rows[m[1]!] = Number(m[2]);
  }
  return rows;
}

describe("docs/NODE.md's table of API errors", () => {
  it("lists every code the API maps, with its status, and no other", () => {
    expect(documentedCodes()).toEqual({ ...STATUS_BY_CODE });
  });
});
