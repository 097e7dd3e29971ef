/**
 * The election spec: what the coordinator writes by hand for `saylau election assemble`
 * (docs/roles-cli.md gives the format). It names the election, its schedule, the commission's
 * threshold, regions and districts, contests and their scopes, and where to reach each
 * validator; every key it names is a public key file in the public directory, handed in by
 * its holder. No secret goes into it or comes out of it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Contest } from "../election/description.ts";
import { SaylauError } from "../errors.ts";
import type { ContestScope } from "../ledger/manifest.ts";

export interface SpecParty {
  readonly name: string;
  /** Public key file, relative to the public directory. */
  readonly key: string;
}

export interface SpecValidator extends SpecParty {
  /** Where its peers reach it: a multiaddr such as /ip4/10.0.0.5/tcp/7100. */
  readonly p2p: string;
  /** Where its HTTP API listens: host:port. */
  readonly http: string;
}

export interface SpecRegion {
  readonly id: string;
  readonly name: string;
  /** The region registrar's public key file. */
  readonly registrar: string;
  readonly districts: readonly { readonly id: string; readonly name: string }[];
}

export interface SpecContest extends Contest {
  /** "national", "region:<region id>" or "district:<district id>". */
  readonly scope: string;
}

/**
 * The trustees' part: the key ceremony's transcript (`saylau ceremony assemble`), or, for an
 * election without one, an election description file and the trustees' signing key files
 * (the manifest's ceremony hash is then 32 zero bytes).
 */
export type SpecTrustees =
  | { readonly ceremony: string }
  | { readonly description: string; readonly keys: readonly string[] };

export interface ElectionSpec {
  readonly name: string;
  /** ISO 8601 with Z or an offset; default: when assembled. */
  readonly createdAt?: string;
  readonly schedule: {
    readonly opensAt: string;
    readonly closesAt: string;
    readonly timeZone: string;
  };
  readonly commission: { readonly threshold: number; readonly members: readonly SpecParty[] };
  readonly validators: readonly SpecValidator[];
  readonly regions: readonly SpecRegion[];
  readonly contests: readonly SpecContest[];
  readonly trustees: SpecTrustees;
}

function bad(message: string): SaylauError {
  return new SaylauError("spec/invalid", message);
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch (UTC) of an ISO 8601 time that names its offset. */
export function parseUtcTime(value: unknown, field: string, code = "spec/invalid"): number {
  const ms = typeof value === "string" && ISO_UTC.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms) || ms < 0) {
    throw new SaylauError(
      code,
      `${field} must be an ISO 8601 time with Z or an offset, e.g. 2027-03-19T08:00:00Z, not "${String(value)}"`,
    );
  }
  return ms;
}

function str(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw bad(`${field} must be a non-empty string`);
  return value;
}

function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw bad(`${field} must be a non-empty list`);
  return value;
}

function obj(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw bad(`${field} must be an object`);
  }
  return value as Record<string, unknown>;
}

function party(value: unknown, field: string): SpecParty {
  const o = obj(value, field);
  return { name: str(o.name, `${field}.name`), key: str(o.key, `${field}.key`) };
}

/** Reads and checks the spec's shape (the manifest checks the rest when it is encoded). */
export function readElectionSpec(path: string): ElectionSpec {
  if (!existsSync(path)) throw new SaylauError("cli/missing_file", `${path} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw bad(`${path} is not JSON: ${(err as Error).message}`);
  }
  const o = obj(raw, "spec");
  const schedule = obj(o.schedule, "schedule");
  const commission = obj(o.commission, "commission");
  const trustees = obj(o.trustees, "trustees");
  const spec: ElectionSpec = {
    name: str(o.name, "name"),
    ...(o.createdAt === undefined ? {} : { createdAt: str(o.createdAt, "createdAt") }),
    schedule: {
      opensAt: str(schedule.opensAt, "schedule.opensAt"),
      closesAt: str(schedule.closesAt, "schedule.closesAt"),
      timeZone: str(schedule.timeZone, "schedule.timeZone"),
    },
    commission: {
      threshold: Number(commission.threshold),
      members: list(commission.members, "commission.members").map((m, i) =>
        party(m, `commission.members[${i}]`),
      ),
    },
    validators: list(o.validators, "validators").map((v, i) => {
      const field = `validators[${i}]`;
      const r = obj(v, field);
      return {
        ...party(v, field),
        p2p: str(r.p2p, `${field}.p2p`),
        http: str(r.http, `${field}.http`),
      };
    }),
    regions: list(o.regions, "regions").map((v, i) => {
      const field = `regions[${i}]`;
      const r = obj(v, field);
      return {
        id: str(r.id, `${field}.id`),
        name: str(r.name, `${field}.name`),
        registrar: str(r.registrar, `${field}.registrar`),
        districts: list(r.districts, `${field}.districts`).map((d, j) => {
          const dd = obj(d, `${field}.districts[${j}]`);
          return {
            id: str(dd.id, `${field}.districts[${j}].id`),
            name: str(dd.name, `${field}.districts[${j}].name`),
          };
        }),
      };
    }),
    contests: list(o.contests, "contests").map((v, i) => {
      const field = `contests[${i}]`;
      const c = obj(v, field);
      return {
        label: str(c.label, `${field}.label`),
        options: list(c.options, `${field}.options`).map((x, j) =>
          str(x, `${field}.options[${j}]`),
        ),
        limit: Number(c.limit),
        scope: str(c.scope, `${field}.scope`),
      };
    }),
    trustees:
      typeof trustees.ceremony === "string"
        ? { ceremony: trustees.ceremony }
        : {
            description: str(trustees.description, "trustees.description"),
            keys: list(trustees.keys, "trustees.keys").map((k, i) => str(k, `trustees.keys[${i}]`)),
          },
  };
  if (!Number.isInteger(spec.commission.threshold)) {
    throw bad("commission.threshold must be an integer");
  }
  spec.contests.forEach((c, i) => {
    if (!Number.isInteger(c.limit) || c.limit < 1) {
      throw bad(`contests[${i}].limit must be a positive integer`);
    }
  });
  return spec;
}

/** "national", "region:<id>" or "district:<id>" as the manifest's scope (indices). */
export function scopeOf(spec: ElectionSpec, scope: string, field: string): ContestScope {
  if (scope === "national") return { level: "national", index: 0 };
  const [level, id] = scope.split(":", 2);
  if (level === "region") {
    const index = spec.regions.findIndex((r) => r.id === id);
    if (index < 0) throw bad(`${field}: no region "${id}"`);
    return { level, index };
  }
  if (level === "district") {
    const index = spec.regions.flatMap((r) => r.districts).findIndex((d) => d.id === id);
    if (index < 0) throw bad(`${field}: no district "${id}"`);
    return { level, index };
  }
  throw bad(`${field} must be "national", "region:<id>" or "district:<id>", not "${scope}"`);
}

/** host:port of a validator's HTTP API. */
export function httpAddress(value: string, field: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (m === null || port < 1 || port > 65535) throw bad(`${field} must be host:port`);
  return { host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port };
}

export function publicPath(publicDir: string, name: string): string {
  return join(publicDir, name);
}
