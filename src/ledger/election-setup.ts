/**
 * Creates a whole election from one master seed: commission members, registrars,
 * validators, trustees (with the key ceremony run in this one process), voters, and the
 * manifest. Deterministic, so tests and benchmarks are reproducible. Because it holds every
 * party's secret at once it is for tests and benchmarks only: a real election (and the demo)
 * runs each party's steps in its own process and directory (docs/ROLES.md). Every key is
 * derived as SHA-256(label || master seed), so no two roles share a key.
 */
import { concatBytes, utf8 } from "../crypto/bytes.ts";
import { type Ed25519KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import { sha256 } from "../crypto/hash.ts";
import type { TrusteeSecret } from "../election/ceremony.ts";
import { transcriptHash } from "../election/ceremony-transcript.ts";
import type { Contest } from "../election/description.ts";
import { seededElection } from "../election/seeded.ts";
import { SaylauError } from "../errors.ts";
import { geographyOf } from "./geography.ts";
import {
  type ContestScope,
  electionIdOf,
  encodeManifest,
  MANIFEST_VERSION,
  type Manifest,
  type Schedule,
} from "./manifest.ts";

export interface RegionInput {
  readonly id: string;
  readonly name: string;
  readonly districts: readonly { readonly id: string; readonly name: string }[];
}

export interface ElectionSetupInput {
  readonly name: string;
  readonly createdAt: number;
  readonly seed: Uint8Array;
  readonly validators: number;
  readonly trustees: number;
  readonly threshold: number;
  readonly voters: number;
  readonly contests: readonly Contest[];
  /** Default: one member, who alone approves. */
  readonly commission?: { readonly members: number; readonly threshold: number };
  /**
   * Default: polls open at createdAt and close 30 years later (tests on the real clock must
   * not expire), shown in Asia/Almaty.
   */
  readonly schedule?: Schedule;
  /** Default: one region "R1" with one district "D1". */
  readonly regions?: readonly RegionInput[];
  /** Default: every contest national. */
  readonly scopes?: readonly ContestScope[];
}

export interface TrusteeKeys {
  readonly index: number;
  readonly signing: Ed25519KeyPair;
  readonly secret: TrusteeSecret;
}

export interface ElectionSetup {
  readonly manifest: Manifest;
  readonly manifestBytes: Uint8Array;
  readonly electionId: Uint8Array;
  readonly commission: readonly Ed25519KeyPair[];
  /** Per region, its registrar. */
  readonly registrars: readonly Ed25519KeyPair[];
  readonly validators: readonly Ed25519KeyPair[];
  readonly trustees: readonly TrusteeKeys[];
  readonly voters: readonly Ed25519KeyPair[];
  /** voterDistricts[i]: the district voter i is registered to (round robin). */
  readonly voterDistricts: readonly number[];
  /** The key ceremony's public transcript; its hash is the manifest's `ceremony`. */
  readonly transcript: Uint8Array;
}

export const DEFAULT_REGIONS: readonly RegionInput[] = [
  { id: "R1", name: "Region 1", districts: [{ id: "D1", name: "District 1" }] },
];

const DEFAULT_POLLS_MS = 30 * 365 * 24 * 3600 * 1000;

export function deriveKey(seed: Uint8Array, label: string): Ed25519KeyPair {
  return keyPairFromSeed(sha256(concatBytes(utf8(`saylau/v1/setup/${label}/`), seed)));
}

export function createElection(input: ElectionSetupInput): ElectionSetup {
  if (input.validators < 1 || input.validators > 64) {
    throw new SaylauError("setup/bad_parameters", "between 1 and 64 validators");
  }
  if (input.threshold < 1 || input.threshold > input.trustees) {
    throw new SaylauError(
      "setup/bad_parameters",
      "threshold must be between 1 and the number of trustees",
    );
  }
  const commissionShape = input.commission ?? { members: 1, threshold: 1 };
  const commission = Array.from({ length: commissionShape.members }, (_, i) =>
    deriveKey(input.seed, `commission/${i}`),
  );
  const regions = input.regions ?? DEFAULT_REGIONS;
  const registrars = regions.map((_, i) => deriveKey(input.seed, `registrar/${i}`));
  const validators = Array.from({ length: input.validators }, (_, i) =>
    deriveKey(input.seed, `validator/${i}`),
  );
  const signingKeys = Array.from({ length: input.trustees }, (_, i) =>
    deriveKey(input.seed, `trustee/${i + 1}`),
  );
  const ceremony = seededElection({
    seed: sha256(concatBytes(utf8("saylau/v1/setup/ceremony/"), input.seed)),
    contests: input.contests,
    threshold: input.threshold,
    trusteeCount: input.trustees,
    signingKeys,
  });
  const transcript = ceremony.transcript!;
  const trustees = ceremony.secrets.map((secret, i) => ({
    index: i + 1,
    signing: signingKeys[i]!,
    secret,
  }));
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    name: input.name,
    createdAt: input.createdAt,
    commission: {
      threshold: commissionShape.threshold,
      members: commission.map((k, i) => ({ name: `member-${i}`, publicKey: k.publicKey })),
    },
    schedule: input.schedule ?? {
      opensAt: input.createdAt,
      closesAt: input.createdAt + DEFAULT_POLLS_MS,
      timeZone: "Asia/Almaty",
    },
    validators: validators.map((v, i) => ({ name: `validator-${i}`, publicKey: v.publicKey })),
    regions: regions.map((r, i) => ({
      id: r.id,
      name: r.name,
      registrar: registrars[i]!.publicKey,
      districts: r.districts.map((d) => ({ id: d.id, name: d.name })),
    })),
    scopes: input.scopes
      ? input.scopes.map((s) => ({ ...s }))
      : input.contests.map(() => ({ level: "national" as const, index: 0 })),
    trusteeKeys: trustees.map((t) => t.signing.publicKey),
    ceremony: transcriptHash(transcript),
    election: ceremony.description,
  };
  const manifestBytes = encodeManifest(manifest);
  const districtCount = geographyOf(manifest).districts.length;
  const voters = Array.from({ length: input.voters }, (_, i) =>
    deriveKey(input.seed, `voter/${i}`),
  );
  return {
    manifest,
    manifestBytes,
    electionId: electionIdOf(manifestBytes),
    commission,
    registrars,
    validators,
    trustees,
    voters,
    voterDistricts: voters.map((_, i) => i % districtCount),
    transcript,
  };
}
