/**
 * The election manifest: the genesis of the ledger. It fixes who may do what for the whole
 * election, each power held by its own party: the central commission (k of m members sign
 * approval and any change to the schedule), the schedule the validators enforce, the
 * validator set, each region's registrar and its districts, the contests and the scope each
 * is on the ballot in, the trustees' signing keys, the hash of the key ceremony's public
 * transcript and the election description with the joint public key. Its tagged hash is the
 * election id that every signature and proof in the election binds.
 */
import {
  array,
  bytes,
  decodeWith,
  encodeWith,
  type Infer,
  oneOf,
  struct,
  text,
  uint,
} from "../codec/schema.ts";
import { toHex } from "../crypto/bytes.ts";
import { isValidPublicKey, PUBLIC_KEY_LENGTH } from "../crypto/ed25519.ts";
import { HASH_LENGTH, TAG, taggedHash } from "../crypto/hash.ts";
import { MAX_CONTESTS } from "../election/description.ts";
import { SaylauError } from "../errors.ts";
import { electionDescriptionCodec } from "./ballot-crypto.ts";
import { geographyOf } from "./geography.ts";
import {
  MAX_COMMISSION_MEMBERS,
  MAX_DISTRICTS,
  MAX_NAME_LENGTH,
  MAX_REGIONS,
  MAX_VALIDATORS,
} from "./limits.ts";

export const MANIFEST_VERSION = 2;
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Region and district identifiers: short, stable, printable (e.g. "KZ-ALA", "ALA-03"). */
const identifier = text(32, /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/);
const publicKey = bytes(PUBLIC_KEY_LENGTH);

export const validatorCodec = struct({
  name: text(MAX_NAME_LENGTH),
  publicKey,
});

export const commissionMemberCodec = struct({
  name: text(MAX_NAME_LENGTH),
  publicKey,
});

export const commissionCodec = struct({
  /** k: member signatures needed in one commission transaction. */
  threshold: uint(MAX_COMMISSION_MEMBERS),
  members: array(commissionMemberCodec, MAX_COMMISSION_MEMBERS, 1),
});

export const scheduleCodec = struct({
  /** Polls open at this block time: ms since 1970-01-01T00:00:00Z (UTC). */
  opensAt: uint(),
  /** Polls close at this block time (ms, UTC) unless the commission extends them. */
  closesAt: uint(),
  /** IANA time zone the schedule is shown in (e.g. "Asia/Almaty"); rules use UTC only. */
  timeZone: text(64, /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/),
});

export const districtCodec = struct({ id: identifier, name: text(MAX_NAME_LENGTH) });

export const regionCodec = struct({
  id: identifier,
  name: text(MAX_NAME_LENGTH),
  /** The regional registrar: signs this region's registrations and revocations. */
  registrar: publicKey,
  districts: array(districtCodec, MAX_DISTRICTS, 1),
});

export const SCOPE_LEVELS = ["national", "region", "district"] as const;

/**
 * Where a contest is on the ballot: everywhere ("national", index 0), in every district of
 * region `index`, or in the one district `index` (its position in the manifest's district
 * order: regions in order, each region's districts in order).
 */
export const contestScopeCodec = struct({
  level: oneOf(SCOPE_LEVELS),
  index: uint(),
});

export const manifestCodec = struct({
  version: uint(MANIFEST_VERSION),
  name: text(MAX_NAME_LENGTH),
  createdAt: uint(),
  commission: commissionCodec,
  schedule: scheduleCodec,
  validators: array(validatorCodec, MAX_VALIDATORS, 1),
  regions: array(regionCodec, MAX_REGIONS, 1),
  /** scopes[i] is the scope of election.contests[i]. */
  scopes: array(contestScopeCodec, MAX_CONTESTS, 1),
  /** ed25519 keys the trustees sign their decryption transactions with, by trustee index. */
  trusteeKeys: array(publicKey, 64, 1),
  /** Tagged hash of the key ceremony's public transcript (docs/ELECTION-CRYPTO.md). */
  ceremony: bytes(HASH_LENGTH),
  election: electionDescriptionCodec,
});
export type Manifest = Infer<typeof manifestCodec>;
export type Commission = Infer<typeof commissionCodec>;
export type Schedule = Infer<typeof scheduleCodec>;
export type Region = Infer<typeof regionCodec>;
export type ContestScope = Infer<typeof contestScopeCodec>;

export function encodeManifest(manifest: Manifest): Uint8Array {
  checkManifest(manifest);
  return encodeWith(manifestCodec, manifest);
}

export function decodeManifest(encoded: Uint8Array): Manifest {
  const manifest = decodeWith(manifestCodec, encoded, MAX_MANIFEST_BYTES);
  checkManifest(manifest);
  return manifest;
}

/** The election id: the tagged hash of the canonical manifest. */
export function electionIdOf(encodedManifest: Uint8Array): Uint8Array {
  return taggedHash(TAG.manifest, encodedManifest);
}

function manifestError(code: string, message: string, details?: Record<string, unknown>) {
  return new SaylauError(`manifest/${code}`, message, details);
}

/** Rules beyond shape; each names the field it is about. */
export function checkManifest(manifest: Manifest): void {
  manifestCodec.check(manifest, "manifest");
  if (manifest.version !== MANIFEST_VERSION) {
    throw manifestError("version", `unsupported manifest version ${manifest.version}`);
  }
  checkKeys(manifest);
  checkCommission(manifest.commission);
  checkSchedule(manifest.schedule);
  checkGeography(manifest);
  if (manifest.trusteeKeys.length !== manifest.election.trustees.length) {
    throw manifestError(
      "trustee_mismatch",
      `${manifest.trusteeKeys.length} trustee keys for ${manifest.election.trustees.length} trustees in the election description`,
    );
  }
}

/** Every key valid, and no key in two roles: one party, one power. */
function checkKeys(manifest: Manifest): void {
  const seen = new Map<string, string>();
  const claim = (key: Uint8Array, role: string) => {
    if (!isValidPublicKey(key)) {
      throw manifestError("bad_key", `${role} has an invalid ed25519 public key`, { role });
    }
    const hex = toHex(key);
    const other = seen.get(hex);
    if (other !== undefined) {
      throw manifestError("duplicate_key", `${role} reuses the key of ${other}`, { role, other });
    }
    seen.set(hex, role);
  };
  manifest.commission.members.forEach((m, i) => {
    claim(m.publicKey, `commission member ${i} (${m.name})`);
  });
  manifest.validators.forEach((v, i) => {
    claim(v.publicKey, `validator ${i} (${v.name})`);
  });
  manifest.regions.forEach((r, i) => {
    claim(r.registrar, `registrar of region ${i} (${r.id})`);
  });
  manifest.trusteeKeys.forEach((k, i) => {
    claim(k, `trustee ${i + 1}`);
  });
}

function checkCommission(commission: Commission): void {
  const m = commission.members.length;
  if (commission.threshold < 1 || commission.threshold > m) {
    throw manifestError(
      "bad_commission",
      `commission threshold ${commission.threshold} must be between 1 and its ${m} members`,
    );
  }
}

function checkSchedule(schedule: Schedule): void {
  if (schedule.opensAt >= schedule.closesAt) {
    throw manifestError("bad_schedule", "polls must open before they close");
  }
}

function checkGeography(manifest: Manifest): void {
  const ids = new Set<string>();
  const unique = (id: string, what: string) => {
    if (ids.has(id)) throw manifestError("duplicate_id", `${what} id "${id}" is used twice`);
    ids.add(id);
  };
  let districts = 0;
  for (const region of manifest.regions) {
    unique(region.id, "region");
    for (const d of region.districts) unique(d.id, "district");
    districts += region.districts.length;
  }
  if (districts > MAX_DISTRICTS) {
    throw manifestError("too_many_districts", `${districts} districts, at most ${MAX_DISTRICTS}`);
  }
  const contests = manifest.election.contests.length;
  if (manifest.scopes.length !== contests) {
    throw manifestError(
      "bad_scope",
      `${manifest.scopes.length} contest scopes for ${contests} contests`,
    );
  }
  manifest.scopes.forEach((scope, i) => {
    const bound =
      scope.level === "national"
        ? 1
        : scope.level === "region"
          ? manifest.regions.length
          : districts;
    if (scope.index >= bound) {
      throw manifestError("bad_scope", `contest ${i}: no ${scope.level} ${scope.index}`, {
        contest: i,
      });
    }
  });
  geographyOf(manifest);
}

/** Byzantine faults tolerated by a validator set of size n. */
export function faultTolerance(n: number): number {
  return Math.floor((n - 1) / 3);
}
