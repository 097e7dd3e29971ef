import { describe, expect, it } from "vitest";
import { auditRecord } from "../../../src/audit/audit.ts";
import { MemorySource } from "../../../src/audit/source.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { checkTranscriptAgainstManifest } from "../../../src/ledger/ceremony-record.ts";
import { fixtureElection } from "../../support/election-fixture.ts";

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
}

describe("the key ceremony's transcript against the manifest", () => {
  const { setup } = fixtureElection();
  const other = fixtureElection({ seed: "another election" }).setup;

  it("the transcript of the manifest's ceremony verifies and names its trustees", () => {
    const record = checkTranscriptAgainstManifest(setup.manifest, setup.transcript);
    expect(record.trustees).toBe(3);
    expect(record.threshold).toBe(2);
  });

  it("another election's transcript, or a flipped byte anywhere, is refused", () => {
    expect(codeOf(() => checkTranscriptAgainstManifest(setup.manifest, other.transcript))).toBe(
      "ceremony/not_this_election",
    );
    for (const at of [
      0,
      40,
      Math.floor(setup.transcript.length / 2),
      setup.transcript.length - 1,
    ]) {
      const tampered = Uint8Array.from(setup.transcript);
      tampered[at]! ^= 0x01;
      expect(codeOf(() => checkTranscriptAgainstManifest(setup.manifest, tampered))).not.toBe("ok");
    }
  });

  it("the audit reports a verified ceremony, fails on a foreign one, and reports none as null", async () => {
    const report = await auditRecord(
      new MemorySource(setup.manifestBytes, [], null, [], setup.transcript),
      {
        workers: 0,
      },
    );
    expect(report.ceremony?.trustees).toBe(3);
    const without = await auditRecord(new MemorySource(setup.manifestBytes, []), { workers: 0 });
    expect(without.ceremony).toBeNull();
    await expect(
      auditRecord(new MemorySource(setup.manifestBytes, [], null, [], other.transcript), {
        workers: 0,
      }),
    ).rejects.toMatchObject({
      code: "audit/bad_ceremony",
      details: { cause: "ceremony/not_this_election" },
    });
  });
});
