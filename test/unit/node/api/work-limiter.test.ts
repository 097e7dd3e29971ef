/**
 * The per-client work budget's arithmetic, on a clock the test moves: the burst, the refill,
 * what a batch costs, debt beyond the burst, the bound on remembered clients, and the key a
 * client is counted under.
 */
import { describe, expect, it } from "vitest";
import { clientKey, WorkLimiter } from "../../../../src/node/api/work-limiter.ts";

/** 600 units a minute: one every 100 ms. */
const limiter = (burst = 10, maxClients?: number) =>
  new WorkLimiter({ perMinute: 600, burst, ...(maxClients === undefined ? {} : { maxClients }) });

describe("WorkLimiter", () => {
  it("lets a new client spend its burst at once, then refuses with the time to wait", () => {
    const l = limiter();
    for (let i = 0; i < 10; i++) expect(l.take("a", 1, 0)).toEqual({ ok: true });
    expect(l.take("a", 1, 0)).toEqual({ ok: false, retryAfterMs: 100 });
    // A refusal spends nothing: 50 ms later half a unit is back, and the wait is halved.
    expect(l.take("a", 1, 50)).toEqual({ ok: false, retryAfterMs: 50 });
    expect(l.take("a", 1, 100)).toEqual({ ok: true });
  });

  it("refills at the configured rate and never above the burst", () => {
    const l = limiter();
    expect(l.take("a", 10, 0).ok).toBe(true);
    expect(l.take("a", 3, 250).ok).toBe(false);
    expect(l.take("a", 3, 300).ok).toBe(true);
    // An hour idle saves up the burst, not more.
    expect(l.take("a", 10, 3_600_000).ok).toBe(true);
    expect(l.take("a", 1, 3_600_000).ok).toBe(false);
  });

  it("charges a batch of n transactions n units, one request as one", () => {
    const l = limiter(1000);
    expect(l.take("batch", 600, 0).ok).toBe(true);
    // 400 units left: a second batch of 600 must wait for 200 more (20 s at 10 a second),
    expect(l.take("batch", 600, 0)).toEqual({ ok: false, retryAfterMs: 20_000 });
    // while single requests still pass, 400 of them.
    for (let i = 0; i < 400; i++) expect(l.take("batch", 1, 0).ok).toBe(true);
    expect(l.take("batch", 1, 0).ok).toBe(false);
  });

  it("passes a request costlier than the burst on a full bucket, leaving the client in debt", () => {
    const l = limiter(10);
    expect(l.take("a", 25, 0).ok).toBe(true);
    // 15 units in debt: the next unit is 1.6 s away.
    expect(l.take("a", 1, 0)).toEqual({ ok: false, retryAfterMs: 1600 });
    expect(l.take("a", 1, 1600).ok).toBe(true);
    // Not on a bucket that is not full.
    const m = limiter(10);
    expect(m.take("b", 1, 0).ok).toBe(true);
    expect(m.take("b", 25, 0)).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it("charges the rest of a batch after its first unit as one request of the whole cost", () => {
    // How traffic-control.ts charges a batch: one unit in onRequest, then n - 1 once the
    // body is parsed, needing min(n, burst) - 1.
    const l = limiter(10);
    expect(l.take("a", 1, 0).ok).toBe(true);
    expect(l.take("a", 24, 0, Math.min(25, 10) - 1).ok).toBe(true);
    expect(l.take("a", 1, 0).ok).toBe(false);
    const m = limiter(10);
    for (let i = 0; i < 6; i++) m.take("b", 1, 0);
    expect(m.take("b", 1, 0).ok).toBe(true);
    expect(m.take("b", 4, 0, Math.min(5, 10) - 1)).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it("keeps clients apart, and forgets the least recently seen beyond its bound", () => {
    const l = limiter(1, 3);
    expect(l.take("a", 1, 0).ok).toBe(true);
    expect(l.take("b", 1, 0).ok).toBe(true);
    expect(l.take("c", 1, 0).ok).toBe(true);
    expect(l.take("a", 1, 1).ok).toBe(false); // a is now the most recently seen
    expect(l.take("d", 1, 1).ok).toBe(true); // forgets b
    expect(l.clients).toBe(3);
    expect(l.take("a", 1, 2).ok).toBe(false); // still remembered: still empty
    expect(l.take("b", 1, 2).ok).toBe(true); // forgotten: a full bucket again
  });
});

describe("clientKey", () => {
  it("is the address for IPv4, also when mapped into IPv6", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::FFFF:127.0.0.1")).toBe("127.0.0.1");
  });

  it("is the /64 prefix for IPv6, however the address is written", () => {
    const key = "2001:db8:0:1::/64";
    expect(clientKey("2001:db8:0:1::1")).toBe(key);
    expect(clientKey("2001:0db8:0000:0001:ffff:0:0:2")).toBe(key);
    expect(clientKey("2001:DB8:0:1:a::")).toBe(key);
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(clientKey("2001:db8:0:2::1")).not.toBe(key);
  });
});
