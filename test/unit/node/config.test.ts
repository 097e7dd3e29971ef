/** A validator refuses to start on a bad configuration, with one clear, typed error. */

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { isSaylauError } from "../../../src/errors.ts";
import { loadConfig } from "../../../src/node/config.ts";
import { ValidatorNode } from "../../../src/node/validator-node.ts";
import { electionDirectory } from "../../support/cluster.ts";

const envs: Awaited<ReturnType<typeof electionDirectory>>[] = [];
afterAll(() => {
  for (const e of envs) e.cleanup();
});

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return "started";
}

function envFor(env: Awaited<ReturnType<typeof electionDirectory>>, i: number) {
  return {
    SAYLAU_P2P_LISTEN: `/ip4/127.0.0.1/tcp/${env.ports[i]}`,
    SAYLAU_HTTP_PORT: String(env.ports[4 + i]),
    SAYLAU_PEERS: [0, 1, 2, 3]
      .filter((j) => j !== i)
      .map((j) => `${j}=/ip4/127.0.0.1/tcp/${env.ports[j]}`)
      .join(","),
  };
}

describe("validator configuration", () => {
  it("names a missing key file, a missing manifest, a bad value and an unknown field", async () => {
    const env = await electionDirectory();
    envs.push(env);
    const file = join(env.dir, "validators", "0", "config.json");
    expect(
      await codeOf(() =>
        loadConfig(file, { ...envFor(env, 0), SAYLAU_KEY_FILE: "/nonexistent/validator.key" }),
      ),
    ).toBe("config/missing_key");
    expect(
      await codeOf(() =>
        loadConfig(file, { ...envFor(env, 0), SAYLAU_MANIFEST: "/nonexistent/m.cbor" }),
      ),
    ).toBe("config/missing_manifest");
    expect(
      await codeOf(() => loadConfig(file, { ...envFor(env, 0), SAYLAU_HTTP_PORT: "70000" })),
    ).toBe("config/invalid");
    expect(await codeOf(() => loadConfig(join(env.dir, "nope.json"), {}))).toBe(
      "config/missing_file",
    );
    const extra = join(env.dir, "extra.json");
    writeFileSync(extra, JSON.stringify({ dataDir: "d", surprise: 1 }));
    expect(await codeOf(() => loadConfig(extra, {}))).toBe("config/invalid");
    const bad = join(env.dir, "bad.json");
    writeFileSync(bad, "{ not json");
    expect(await codeOf(() => loadConfig(bad, {}))).toBe("config/invalid");
  });

  it("syncs the consensus WAL and the pending pool unless told otherwise, and only by a boolean", async () => {
    const env = await electionDirectory();
    envs.push(env);
    const file = join(env.dir, "validators", "0", "config.json");
    const defaults = loadConfig(file, envFor(env, 0));
    expect([defaults.walSync, defaults.mempoolSync]).toEqual([true, true]);
    const unsafe = join(env.dir, "validators", "0", "unsafe.json");
    const base = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    writeFileSync(unsafe, JSON.stringify({ ...base, walSync: false, mempoolSync: false }));
    const off = loadConfig(unsafe, envFor(env, 0));
    expect([off.walSync, off.mempoolSync]).toEqual([false, false]);
    writeFileSync(unsafe, JSON.stringify({ ...base, walSync: "false" }));
    expect(await codeOf(() => loadConfig(unsafe, envFor(env, 0)))).toBe("config/invalid");
  });

  it("reads the clock bound for proposals, 5 s by default, from 100 ms to an hour", async () => {
    const env = await electionDirectory();
    envs.push(env);
    const file = join(env.dir, "validators", "0", "config.json");
    expect(loadConfig(file, envFor(env, 0)).maxClockSkewMs).toBe(5000);
    const base = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const f = join(env.dir, "validators", "0", "clock.json");
    const withBound = (value: unknown) => {
      writeFileSync(f, JSON.stringify({ ...base, maxClockSkewMs: value }));
      return () => loadConfig(f, envFor(env, 0));
    };
    expect(withBound(250)().maxClockSkewMs).toBe(250);
    for (const bad of [99, 3_600_001, "5000x", -1, 1.5]) {
      expect(await codeOf(withBound(bad)), String(bad)).toBe("config/invalid");
    }
  });

  it("reads the rate limit and load shedding fields, with their defaults, and checks their ranges", async () => {
    const env = await electionDirectory();
    envs.push(env);
    const file = join(env.dir, "validators", "0", "config.json");
    expect(loadConfig(file, envFor(env, 0))).toMatchObject({
      rateLimitPerMinute: 6000,
      rateLimitBurst: 1000,
      overloadVerifyWaitMs: 2000,
      overloadEventLoopPercent: 98,
    });
    const base = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const withFields = (fields: Record<string, unknown>) => {
      const f = join(env.dir, "validators", "0", "patched.json");
      writeFileSync(f, JSON.stringify({ ...base, ...fields }));
      return () => loadConfig(f, envFor(env, 0));
    };
    // 0 turns each off.
    expect(
      withFields({ rateLimitPerMinute: 0, overloadVerifyWaitMs: 0, overloadEventLoopPercent: 0 })(),
    ).toMatchObject({
      rateLimitPerMinute: 0,
      overloadVerifyWaitMs: 0,
      overloadEventLoopPercent: 0,
    });
    for (const bad of [
      { rateLimitPerMinute: -1 },
      { rateLimitBurst: 0 },
      { overloadVerifyWaitMs: 1.5 },
      { overloadEventLoopPercent: 101 },
    ]) {
      expect(await codeOf(withFields(bad)), JSON.stringify(bad)).toBe("config/invalid");
    }
  });

  it("refuses a key that is not a validator's, a port in use, and a data directory of another election", async () => {
    const env = await electionDirectory();
    const other = await electionDirectory({ seed: "another election" });
    envs.push(env, other);
    const logger = pino({ level: "silent" });
    const file = join(env.dir, "validators", "0", "config.json");

    const notValidator = loadConfig(file, {
      ...envFor(env, 0),
      SAYLAU_KEY_FILE: join(env.dir, "registrars", "0", "registrar.key"),
    });
    expect(await codeOf(ValidatorNode.start(notValidator, { logger }))).toBe(
      "config/not_a_validator",
    );

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(env.ports[4], "127.0.0.1", () => r()));
    try {
      expect(await codeOf(ValidatorNode.start(loadConfig(file, envFor(env, 0)), { logger }))).toBe(
        "config/port_in_use",
      );
    } finally {
      await new Promise((r) => blocker.close(r));
    }

    // Start once so the data directory holds this election, then point another election at it.
    const node = await ValidatorNode.start(loadConfig(file, envFor(env, 0)), { logger });
    await node.stop();
    const otherConfig = loadConfig(join(other.dir, "validators", "0", "config.json"), {
      ...envFor(other, 0),
      SAYLAU_DATA_DIR: join(env.dir, "validators", "0", "data"),
    });
    expect(await codeOf(ValidatorNode.start(otherConfig, { logger }))).toBe(
      "node/manifest_mismatch",
    );
    rmSync(join(env.dir, "validators", "0", "data"), { recursive: true, force: true });
  }, 60_000);
});
