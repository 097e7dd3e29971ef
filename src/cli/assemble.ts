/**
 * `saylau election assemble`: the coordinator builds the manifest from public files only,
 * the spec (election-spec.ts) and the public keys and key ceremony transcript it names. Nothing here
 * reads or could read a secret: a wrong or missing key file is an error, never a new key.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildElectionDescription } from "../election/ceremony.ts";
import { verifyCeremonyTranscript } from "../election/ceremony-transcript.ts";
import { decodeElectionDescription, type ElectionDescription } from "../election/description.ts";
import { SaylauError } from "../errors.ts";
import { encodeManifest, MANIFEST_VERSION, type Manifest } from "../ledger/manifest.ts";
import { type ElectionSpec, parseUtcTime, scopeOf } from "./election-spec.ts";
import { readPublicKeyFile } from "./party-keys.ts";

interface TrusteesPart {
  readonly description: ElectionDescription;
  readonly trusteeKeys: Uint8Array[];
  readonly ceremony: Uint8Array;
}

function readPublicFile(publicDir: string, name: string): Uint8Array {
  const path = join(publicDir, name);
  if (!existsSync(path)) throw new SaylauError("cli/missing_file", `${path} does not exist`);
  return new Uint8Array(readFileSync(path));
}

function trusteesPart(spec: ElectionSpec, publicDir: string): TrusteesPart {
  const contests = spec.contests.map(({ label, options, limit }) => ({ label, options, limit }));
  const t = spec.trustees;
  if ("ceremony" in t) {
    // The key ceremony's transcript, verified whole: every signature, proof and verdict.
    const ceremony = verifyCeremonyTranscript(readPublicFile(publicDir, t.ceremony));
    return {
      description: ceremony.description(contests),
      trusteeKeys: ceremony.signingKeys.map((k) => Uint8Array.from(k)),
      ceremony: ceremony.hash,
    };
  }
  // The trustees' published commitments and proofs, re-checked by buildElectionDescription,
  // with the spec's contests: the description file's own contests do not count.
  const given = decodeElectionDescription(readPublicFile(publicDir, t.description));
  const description = buildElectionDescription({
    ceremonyId: given.ceremonyId,
    threshold: given.threshold,
    trustees: given.trustees,
    contests,
  });
  return {
    description,
    trusteeKeys: t.keys.map((k) => readPublicKeyFile(join(publicDir, k))),
    // No transcript to commit to: 32 zero bytes say so.
    ceremony: new Uint8Array(32),
  };
}

export function assembleManifest(spec: ElectionSpec, publicDir: string, now: number): Uint8Array {
  const key = (name: string) => readPublicKeyFile(join(publicDir, name));
  const trustees = trusteesPart(spec, publicDir);
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    name: spec.name,
    createdAt: spec.createdAt === undefined ? now : parseUtcTime(spec.createdAt, "createdAt"),
    commission: {
      threshold: spec.commission.threshold,
      members: spec.commission.members.map((m) => ({ name: m.name, publicKey: key(m.key) })),
    },
    schedule: {
      opensAt: parseUtcTime(spec.schedule.opensAt, "schedule.opensAt"),
      closesAt: parseUtcTime(spec.schedule.closesAt, "schedule.closesAt"),
      timeZone: spec.schedule.timeZone,
    },
    validators: spec.validators.map((v) => ({ name: v.name, publicKey: key(v.key) })),
    regions: spec.regions.map((r) => ({
      id: r.id,
      name: r.name,
      registrar: key(r.registrar),
      districts: r.districts.map((d) => ({ id: d.id, name: d.name })),
    })),
    scopes: spec.contests.map((c, i) => scopeOf(spec, c.scope, `contests[${i}].scope`)),
    trusteeKeys: trustees.trusteeKeys,
    ceremony: trustees.ceremony,
    election: trustees.description,
  };
  return encodeManifest(manifest);
}
