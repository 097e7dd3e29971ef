/**
 * What the pages say about the polls, from the manifest's schedule, the ledger's phase and
 * close (extended or not) and the device's clock: before they open, open, closed, not yet
 * approved, and the commission's extension. Pure: no browser.
 */
import { describe, expect, it } from "vitest";
import { pollsStatus } from "../../web/src/polls.ts";

const schedule = { opensAt: 1_000, closesAt: 2_000, timeZone: "Asia/Almaty" };

describe("pollsStatus", () => {
  it("follows the clock between the schedule's times once the manifest is approved", () => {
    const ledger = { phase: "registration", closesAt: 2_000 };
    expect(pollsStatus(schedule, ledger, 999).kind).toBe("before");
    expect(pollsStatus(schedule, ledger, 1_000).kind).toBe("open");
    expect(pollsStatus(schedule, { phase: "open", closesAt: 2_000 }, 1_999).kind).toBe("open");
    expect(pollsStatus(schedule, { phase: "open", closesAt: 2_000 }, 2_000).kind).toBe("closed");
  });

  it("believes the ledger when it says closed or not approved, whatever the device's clock", () => {
    expect(pollsStatus(schedule, { phase: "closed", closesAt: 2_000 }, 1_500).kind).toBe("closed");
    expect(pollsStatus(schedule, { phase: "setup", closesAt: 2_000 }, 1_500).kind).toBe("setup");
  });

  it("names the commission's extension and keeps the polls open until the new close", () => {
    const extended = pollsStatus(schedule, { phase: "open", closesAt: 5_000 }, 3_000);
    expect(extended).toEqual({
      kind: "open",
      opensAt: 1_000,
      closesAt: 5_000,
      extendedFrom: 2_000,
      timeZone: "Asia/Almaty",
    });
    expect(pollsStatus(schedule, { phase: "open", closesAt: 2_000 }, 1_500).extendedFrom).toBe(
      null,
    );
  });
});
