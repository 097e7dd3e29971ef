/**
 * The per-party commands through main(), without a validator: keygen writes a 0600 secret
 * and a public key file and refuses to overwrite; `election assemble` builds the manifest
 * from the spec and public files alone; `commission sign` files combine into one commission
 * transaction only when k different members signed the same decision of this election;
 * `validator config` finds the validator by its key.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  commissionSignatureFileCodec,
  commissionTxFromSignatures,
} from "../../../src/cli/commission-signature.ts";
import { demoSpec, keyFiles, REGIONS } from "../../../src/cli/demo/shape.ts";
import { main } from "../../../src/cli/main.ts";
import { loadManifest } from "../../../src/cli/manifest-file.ts";
import { decodeWith, encodeWith } from "../../../src/codec/schema.ts";
import { decodeTransaction } from "../../../src/ledger/transactions.ts";
import { dealTrustees } from "../../support/dealt-trustees.ts";

interface Run {
  code: number;
  out: string;
  err: string;
}

async function saylau(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    vi
      .spyOn(console, "log")
      .mockImplementation((...a: unknown[]) => void out.push(`${a.join(" ")}\n`)),
    vi
      .spyOn(console, "error")
      .mockImplementation((...a: unknown[]) => void err.push(`${a.join(" ")}\n`)),
  ];
  try {
    return { code: await main(args), out: out.join(""), err: err.join("") };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

let root: string;
let pub: string;
let manifest: string;
const dirOf = (...p: string[]) => join(root, ...p);

async function keygen(role: string, dir: string, file: string): Promise<void> {
  const r = await saylau(role, "keygen", "--dir", dir);
  expect(r.code, r.err).toBe(0);
  copyFileSync(join(dir, `${role === "commission" ? "member" : role}.pub`), join(pub, file));
}

beforeAll(async () => {
  // The commission members' key files are opened with this.
  process.env.SAYLAU_PASSPHRASE = "correct horse battery";
  root = mkdtempSync(join(tmpdir(), "saylau-parties-"));
  pub = dirOf("public");
  mkdirSync(pub);
  for (let i = 0; i < 3; i++)
    await keygen("commission", dirOf("commission", String(i)), keyFiles.member(i));
  for (const r of REGIONS)
    await keygen("registrar", dirOf("registrars", r.id), keyFiles.registrar(r.id));
  for (let i = 0; i < 4; i++)
    await keygen("validator", dirOf("validators", String(i)), keyFiles.validator(i));
  dealTrustees({
    trusteesDir: dirOf("trustees"),
    publicDir: pub,
    count: 3,
    threshold: 2,
    contests: [{ label: "placeholder", options: ["x"], limit: 1 }],
    publicKeyFile: keyFiles.trustee,
    descriptionFile: keyFiles.description,
  });
  const opensAt = Date.parse("2027-03-19T03:00:00Z");
  const spec = demoSpec({
    trustees: {
      description: keyFiles.description,
      keys: [1, 2, 3].map(keyFiles.trustee),
    },
    opensAt,
    closesAt: opensAt + 12 * 3600_000,
    ports: { p2pBase: 7100, httpBase: 8100 },
  });
  writeFileSync(join(pub, "spec.json"), JSON.stringify(spec));
  manifest = join(root, "manifest.cbor");
  const r = await saylau(
    "election",
    "assemble",
    "--spec",
    join(pub, "spec.json"),
    "--public",
    pub,
    "--out",
    manifest,
  );
  expect(r.code, r.err).toBe(0);
}, 60_000);

afterAll(() => {
  delete process.env.SAYLAU_PASSPHRASE;
  rmSync(root, { recursive: true, force: true });
});

describe("keygen", () => {
  it("writes the seed 0600 and the public key beside it, and never overwrites", async () => {
    const dir = dirOf("voters", "0");
    const r = await saylau("voter", "keygen", "--dir", dir);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(readFileSync(join(dir, "voter.pub"), "utf8").trim());
    expect(statSync(join(dir, "voter.key")).mode & 0o777).toBe(0o600);
    expect(r.out).not.toContain(readFileSync(join(dir, "voter.key"), "utf8").trim());
    const again = await saylau("voter", "keygen", "--dir", dir);
    expect(again.code).not.toBe(0);
    expect(again.err).toContain("cli/exists");
  });
});

describe("commission keygen", () => {
  it("encrypts the member's key at rest: the seed is not in the file, and a wrong passphrase opens nothing", async () => {
    const dir = dirOf("commission", "0");
    const file = readFileSync(join(dir, "member.key"));
    expect(statSync(join(dir, "member.key")).mode & 0o777).toBe(0o600);
    expect(file.toString("latin1")).toContain("saylau-key-v1");
    expect(file.toString("latin1")).toContain("commission-member-key");
    process.env.SAYLAU_PASSPHRASE = "wrong passphrase";
    try {
      const r = await saylau(
        "commission",
        "sign",
        "--dir",
        dir,
        "--manifest",
        manifest,
        "approve",
        "--out",
        join(root, "w.sig"),
      );
      expect(r.code).toBe(1);
      expect(r.err).toContain("keystore/wrong_passphrase");
      expect(existsSync(join(root, "w.sig"))).toBe(false);
    } finally {
      process.env.SAYLAU_PASSPHRASE = "correct horse battery";
    }
  });
});

describe("election assemble", () => {
  it("builds the manifest from the spec and the public keys: schedule, commission, regions, scopes", () => {
    const ctx = loadManifest(manifest);
    expect(ctx.manifest.schedule).toEqual({
      opensAt: Date.parse("2027-03-19T03:00:00Z"),
      closesAt: Date.parse("2027-03-19T15:00:00Z"),
      timeZone: "Asia/Almaty",
    });
    expect(ctx.manifest.commission.threshold).toBe(2);
    expect(ctx.manifest.commission.members.map((m) => readKeyHex(m.publicKey))).toEqual(
      [0, 1, 2].map((i) => readFileSync(join(pub, keyFiles.member(i)), "utf8").trim()),
    );
    expect(ctx.manifest.regions.map((r) => r.id)).toEqual(["ALM", "AST", "SHY"]);
    expect(ctx.manifest.scopes).toEqual([
      { level: "national", index: 0 },
      { level: "region", index: 0 },
      { level: "region", index: 1 },
      { level: "region", index: 2 },
      { level: "district", index: 0 },
    ]);
    // Four ballot styles over the six districts.
    expect(new Set(ctx.geography.districts.map((d) => d.style.join(","))).size).toBe(4);
    expect(ctx.manifest.ceremony).toEqual(new Uint8Array(32));
  });

  it("refuses a time without its offset, a missing key file and an unknown scope", async () => {
    const spec = JSON.parse(readFileSync(join(pub, "spec.json"), "utf8"));
    const cases: [unknown, string][] = [
      [
        { ...spec, schedule: { ...spec.schedule, opensAt: "2027-03-19T08:00:00" } },
        "with Z or an offset",
      ],
      [
        {
          ...spec,
          validators: [{ ...spec.validators[0], key: "nobody.pub" }, ...spec.validators.slice(1)],
        },
        "nobody.pub does not exist",
      ],
      [
        { ...spec, contests: [{ ...spec.contests[0], scope: "district:XX-99" }] },
        'no district "XX-99"',
      ],
    ];
    for (const [bad, message] of cases) {
      writeFileSync(join(pub, "bad.json"), JSON.stringify(bad));
      const out = join(root, `bad-${Math.random()}.cbor`);
      const r = await saylau(
        "election",
        "assemble",
        "--spec",
        join(pub, "bad.json"),
        "--public",
        pub,
        "--out",
        out,
      );
      expect(r.code).not.toBe(0);
      expect(r.err).toContain(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});

function readKeyHex(key: Uint8Array): string {
  return Buffer.from(key).toString("hex");
}

describe("commission sign and submit", () => {
  const sign = async (member: number, action: string, out: string, ...extra: string[]) => {
    const r = await saylau(
      "commission",
      "sign",
      "--dir",
      dirOf("commission", String(member)),
      "--manifest",
      manifest,
      action,
      ...extra,
      "--out",
      out,
    );
    expect(r.code, r.err).toBe(0);
    return { name: out, bytes: new Uint8Array(readFileSync(out)) };
  };

  it("combines k signatures of one decision into a commission transaction, in member order", async () => {
    const ctx = loadManifest(manifest);
    const a = await sign(2, "approve", join(root, "a2.sig"));
    const b = await sign(0, "approve", join(root, "a0.sig"));
    const { tx, members } = commissionTxFromSignatures(ctx.manifest, ctx.electionId, [a, b]);
    expect(members).toEqual([0, 2]);
    const decoded = decodeTransaction(tx);
    expect(decoded).toMatchObject({
      type: "commission",
      action: "approve",
      closesAt: ctx.manifest.schedule.closesAt,
    });
  });

  it("refuses fewer than k, the same member twice, different decisions and a forged signature", async () => {
    const ctx = loadManifest(manifest);
    const a0 = await sign(0, "approve", join(root, "b0.sig"));
    const e1 = await sign(
      1,
      "extend",
      join(root, "e1.sig"),
      "--closes-at",
      "2027-03-19T17:00:00+05:00",
    );
    const e2 = await sign(
      2,
      "extend",
      join(root, "e2.sig"),
      "--closes-at",
      "2027-03-19T18:00:00+05:00",
    );
    const combine = (files: { name: string; bytes: Uint8Array }[]) => () =>
      commissionTxFromSignatures(ctx.manifest, ctx.electionId, files);
    expect(combine([a0])).toThrow(/needs 2/);
    expect(combine([a0, a0])).toThrow(/signed twice/);
    expect(combine([e1, e2])).toThrow(/signs "extend"/);
    expect(combine([a0, e1])).toThrow(/signs "extend"/);
    const file = decodeWith(commissionSignatureFileCodec, e1.bytes);
    const sig = Uint8Array.from(file.sig);
    sig[5]! ^= 1;
    const forged = encodeWith(commissionSignatureFileCodec, { ...file, sig });
    expect(combine([{ name: "forged", bytes: forged }, e2])).toThrow(/not commission member 1's/);
  });

  it("a member signs only with its own key, and extend needs --closes-at with an offset", async () => {
    const r = await saylau(
      "commission",
      "sign",
      "--dir",
      dirOf("commission", "0"),
      "--manifest",
      manifest,
      "extend",
      "--closes-at",
      "2027-03-19T18:00:00",
      "--out",
      join(root, "x.sig"),
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain("with Z or an offset");
    const stranger = await saylau(
      "commission",
      "sign",
      "--dir",
      dirOf("validators", "0"),
      "--manifest",
      manifest,
      "approve",
      "--out",
      join(root, "y.sig"),
    );
    expect(stranger.err).toContain("member.key does not exist");
  });
});

describe("validator config", () => {
  it("finds the validator's index by its key and writes peers from the spec", async () => {
    const r = await saylau(
      "validator",
      "config",
      "--dir",
      dirOf("validators", "2"),
      "--manifest",
      manifest,
      "--spec",
      join(pub, "spec.json"),
    );
    expect(r.code, r.err).toBe(0);
    const config = JSON.parse(readFileSync(dirOf("validators", "2", "config.json"), "utf8"));
    expect(config).toMatchObject({
      keyFile: "validator.key",
      manifestFile: "manifest.cbor",
      p2pListen: "/ip4/127.0.0.1/tcp/7102",
      httpPort: 8102,
    });
    expect(config.peers.map((p: { index: number }) => p.index)).toEqual([0, 1, 3]);
  });
});
