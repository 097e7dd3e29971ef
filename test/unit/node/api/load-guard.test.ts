/**
 * Load shedding's two signals: the verification backlog (given by the node) and the event
 * loop's utilization (measured here, so one test keeps this thread busy for a moment).
 */
import { afterEach, describe, expect, it } from "vitest";
import { LoadGuard } from "../../../../src/node/api/load-guard.ts";

const guards: LoadGuard[] = [];
afterEach(() => {
  for (const g of guards.splice(0)) g.stop();
});

function guard(options: ConstructorParameters<typeof LoadGuard>[0]): LoadGuard {
  const g = new LoadGuard(options);
  guards.push(g);
  g.start();
  return g;
}

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: the event loop cannot turn
  }
}

describe("LoadGuard", () => {
  it("sheds while the verification backlog is over its bound, and asks to wait about as long", () => {
    let backlog = 0;
    const g = guard({
      maxVerifyWaitMs: 2000,
      maxEventLoopUtilization: 0,
      verifyWaitMs: () => backlog,
    });
    expect(g.check()).toBeUndefined();
    backlog = 2000;
    expect(g.check()).toBeUndefined();
    backlog = 2500;
    expect(g.check()).toEqual({
      message: "node overloaded: the verification backlog is 2500 ms (bound 2000 ms)",
      retryAfterS: 3,
    });
    const off = guard({ maxVerifyWaitMs: 0, maxEventLoopUtilization: 0, verifyWaitMs: () => 1e9 });
    expect(off.check()).toBeUndefined();
  });

  it("sheds after the event loop was kept busy, and stops once it is idle again", async () => {
    const g = guard({
      maxVerifyWaitMs: 0,
      maxEventLoopUtilization: 0.9,
      verifyWaitMs: () => 0,
      sampleMs: 50,
    });
    // An idle loop first: utilization well under the bound.
    await new Promise((r) => setTimeout(r, 250));
    expect(g.eventLoopUtilization).toBeLessThan(0.9);
    spin(800);
    // The first sample after the spin covers it and at most 50 ms of idling: over 94% busy.
    await new Promise((r) => setTimeout(r, 0));
    const deadline = performance.now() + 2000;
    while (g.eventLoopUtilization < 0.9 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const shed = g.check();
    expect(shed?.retryAfterS).toBe(1);
    expect(shed?.message).toMatch(/^node overloaded: event loop \d+% busy \(bound 90%\)$/);
    // Idle again: the next samples are under the bound.
    const idleBy = performance.now() + 5000;
    while (g.check() !== undefined && performance.now() < idleBy) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(g.check()).toBeUndefined();
  });

  it("never sheds on the event loop when that signal is off", async () => {
    const g = guard({ maxVerifyWaitMs: 0, maxEventLoopUtilization: 0, verifyWaitMs: () => 0 });
    spin(300);
    await new Promise((r) => setTimeout(r, 600));
    expect(g.eventLoopUtilization).toBe(0);
    expect(g.check()).toBeUndefined();
  });
});
