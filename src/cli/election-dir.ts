/**
 * The election directory `saylau election init` writes and every other command reads:
 *
 *   manifest.cbor                    the canonical manifest (genesis)
 *   ceremony.cbor                    the key ceremony's public transcript
 *   election.json                    election id and a human summary
 *   commission/<i>/member.key        commission member i's ed25519 seed (hex)
 *   registrars/<r>/registrar.key     region r's registrar seed (hex)
 *   validators/<i>/validator.key     validator i's ed25519 seed (hex)
 *   validators/<i>/config.json       validator i's node configuration (loopback ports)
 *   trustees/<i>/trustee.key         trustee i's signing seed (hex)
 *   trustees/<i>/share.cbor          trustee i's secret key share from the ceremony
 *   voters.txt                       per line: a voter's credential seed (hex) and district
 *
 * Key files are written with mode 0600. This directory holds every party's secret at once,
 * so it is only for tests and benchmarks; a real election (and the demo) keeps each
 * party's secrets in that party's own directory (docs/ROLES.md).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromHex, toHex } from "../crypto/bytes.ts";
import { type Ed25519KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import {
  decodeTrusteeSecret,
  encodeTrusteeSecret,
  type TrusteeSecret,
} from "../election/ceremony.ts";
import { SaylauError } from "../errors.ts";
import type { ElectionSetup } from "../ledger/election-setup.ts";
import { readKey } from "./key-file.ts";

// Other modules read key files through here too.
export { readKey };

export interface PortPlan {
  readonly host: string;
  readonly p2pBase: number;
  readonly httpBase: number;
}

function writeSecret(path: string, content: string | Uint8Array): void {
  writeFileSync(path, content);
  chmodSync(path, 0o600);
}

export function validatorConfig(index: number, count: number, ports: PortPlan) {
  return {
    dataDir: "data",
    manifestFile: "../../manifest.cbor",
    ceremonyFile: "../../ceremony.cbor",
    keyFile: "validator.key",
    p2pListen: `/ip4/${ports.host}/tcp/${ports.p2pBase + index}`,
    httpHost: ports.host,
    httpPort: ports.httpBase + index,
    peers: Array.from({ length: count }, (_, i) => i)
      .filter((i) => i !== index)
      .map((i) => ({ index: i, address: `/ip4/${ports.host}/tcp/${ports.p2pBase + i}` })),
  };
}

export function writeElectionDirectory(dir: string, setup: ElectionSetup, ports: PortPlan): void {
  if (existsSync(join(dir, "manifest.cbor"))) {
    throw new SaylauError(
      "cli/exists",
      `${dir} already holds an election; choose an empty directory`,
    );
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "manifest.cbor"), setup.manifestBytes);
  writeFileSync(join(dir, "ceremony.cbor"), setup.transcript);
  writeFileSync(
    join(dir, "election.json"),
    `${JSON.stringify(
      {
        electionId: toHex(setup.electionId),
        name: setup.manifest.name,
        validators: setup.validators.length,
        trustees: setup.trustees.length,
        threshold: setup.manifest.election.threshold,
        voters: setup.voters.length,
        contests: setup.manifest.election.contests,
        api: setup.validators.map((_, i) => `http://${ports.host}:${ports.httpBase + i}`),
      },
      null,
      2,
    )}\n`,
  );
  setup.commission.forEach((m, i) => {
    const mdir = join(dir, "commission", String(i));
    mkdirSync(mdir, { recursive: true });
    writeSecret(join(mdir, "member.key"), `${toHex(m.seed)}\n`);
  });
  setup.registrars.forEach((r, i) => {
    const rdir = join(dir, "registrars", String(i));
    mkdirSync(rdir, { recursive: true });
    writeSecret(join(rdir, "registrar.key"), `${toHex(r.seed)}\n`);
  });
  setup.validators.forEach((v, i) => {
    const vdir = join(dir, "validators", String(i));
    mkdirSync(vdir, { recursive: true });
    writeSecret(join(vdir, "validator.key"), `${toHex(v.seed)}\n`);
    writeFileSync(
      join(vdir, "config.json"),
      `${JSON.stringify(validatorConfig(i, setup.validators.length, ports), null, 2)}\n`,
    );
  });
  for (const t of setup.trustees) {
    const tdir = join(dir, "trustees", String(t.index));
    mkdirSync(tdir, { recursive: true });
    writeSecret(join(tdir, "trustee.key"), `${toHex(t.signing.seed)}\n`);
    writeSecret(join(tdir, "share.cbor"), encodeTrusteeSecret(t.secret));
  }
  writeSecret(
    join(dir, "voters.txt"),
    `${setup.voters.map((v, i) => `${toHex(v.seed)} ${setup.voterDistricts[i]}`).join("\n")}\n`,
  );
}

/** Sets `patch`'s fields in every validator's config.json (a benchmark's or a test's). */
export function patchValidatorConfigs(
  dir: string,
  validators: number,
  patch: Record<string, unknown>,
): void {
  for (let i = 0; i < validators; i++) {
    const file = join(dir, "validators", String(i), "config.json");
    const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    writeFileSync(file, `${JSON.stringify({ ...config, ...patch }, null, 2)}\n`);
  }
}

export interface VoterEntry {
  readonly key: Ed25519KeyPair;
  readonly district: number;
}

export function readVoters(dir: string): VoterEntry[] {
  const path = join(dir, "voters.txt");
  if (!existsSync(path)) throw new SaylauError("cli/missing_file", `${path} does not exist`);
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      const [seed, district = "0"] = l.trim().split(/\s+/);
      try {
        if (!/^\d{1,4}$/.test(district)) throw new Error("district");
        return { key: keyPairFromSeed(fromHex(seed!, 32)), district: Number(district) };
      } catch {
        throw new SaylauError(
          "cli/bad_key",
          `${path} line ${i + 1} is not "<64-hex seed> <district index>"`,
        );
      }
    });
}

export function readTrustee(
  dir: string,
  index: number,
): { signing: Ed25519KeyPair; secret: TrusteeSecret } {
  return readTrusteeFiles(join(dir, "trustees", String(index)));
}

/** A trustee's own directory: trustee.key (signing seed, hex) and share.cbor (its key share). */
export function readTrusteeFiles(tdir: string): { signing: Ed25519KeyPair; secret: TrusteeSecret } {
  const signing = readKey(join(tdir, "trustee.key"));
  const sharePath = join(tdir, "share.cbor");
  if (!existsSync(sharePath))
    throw new SaylauError("cli/missing_file", `${sharePath} does not exist`);
  return { signing, secret: decodeTrusteeSecret(new Uint8Array(readFileSync(sharePath))) };
}

export function readManifestBytes(dir: string): Uint8Array {
  const path = join(dir, "manifest.cbor");
  if (!existsSync(path))
    throw new SaylauError("cli/missing_file", `${path} does not exist: run saylau election init`);
  return new Uint8Array(readFileSync(path));
}
