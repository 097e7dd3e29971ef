import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerWebApp } from "../../../../src/node/api/web-app.ts";

describe("the web app's static route", () => {
  let root: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "saylau-web-static-"));
    mkdirSync(join(root, "chunks"));
    mkdirSync(join(root, "locales"));
    writeFileSync(join(root, "index.html"), "<!doctype html><title>x</title>");
    writeFileSync(join(root, "vote.js"), "export {}");
    writeFileSync(join(root, "chunks", "chunk-AB12.js"), "export {}");
    writeFileSync(join(root, "locales", "kk.json"), "{}");
    writeFileSync(join(root, "notes.txt"), "not served");
    writeFileSync(join(root, ".hidden.js"), "not served");
    writeFileSync(join(tmpdir(), "outside.js"), "not served");
    app = Fastify();
    app.get("/v1/status", async () => ({ ok: true }));
    registerWebApp(app, root);
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (url: string) => app.inject({ method: "GET", url });

  it("serves index.html at / with a CSP, and each file with its content type", async () => {
    const index = await get("/");
    expect(index.statusCode).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(index.headers["cache-control"]).toBe("no-cache");
    const js = await get("/vote.js");
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["x-content-type-options"]).toBe("nosniff");
    expect((await get("/locales/kk.json")).headers["content-type"]).toBe(
      "application/json; charset=utf-8",
    );
  });

  it("lets hashed chunks be cached for good, and nothing else", async () => {
    const chunk = await get("/chunks/chunk-AB12.js");
    expect(chunk.statusCode).toBe(200);
    expect(chunk.headers["cache-control"]).toContain("immutable");
  });

  it("serves nothing outside the folder, hidden, or of an unknown type", async () => {
    for (const url of [
      "/../outside.js",
      "/%2e%2e/outside.js",
      "/chunks/../../outside.js",
      "/.hidden.js",
      "/notes.txt",
      "/missing.js",
      "/chunks/",
    ]) {
      expect((await get(url)).statusCode, url).toBe(404);
    }
  });

  it("adds the CORS header to GET /v1/* and /healthz answers only", async () => {
    expect((await get("/v1/status")).headers["access-control-allow-origin"]).toBe("*");
    expect((await get("/healthz")).headers["access-control-allow-origin"]).toBe("*");
    expect((await get("/vote.js")).headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("says so when the app is not built", async () => {
    const empty = Fastify();
    registerWebApp(empty, join(root, "no-such-folder"));
    const res = await empty.inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe("api/web_not_built");
    await empty.close();
  });
});
