/**
 * Scans a demo data directory for secrets kept where they do not belong.
 *
 * Parties: every directory directly under commission/, registrars/, validators/, trustees/
 * and voters/ is one party's own directory.
 *
 * Secrets are recognised by file name. A party's secret files are the files in its own
 * directory (at any depth) named
 *   member.key, registrar.key, validator.key, voter.key, trustee.key   an ed25519 seed, hex:
 *                                                                      the secret is the 32 seed bytes;
 *                                                                      encrypted at rest (a member's):
 *                                                                      the whole file
 *   share.cbor                                                         a trustee's key share: the
 *                                                                      secret is its 32-byte scalar
 *   signing.key, share.key, polynomial.key                             a trustee's key files (encrypted
 *                                                                      at rest): the secret is the whole file
 * Each secret is searched for in four spellings: its raw bytes, lowercase hex, uppercase hex
 * and base64.
 *
 * Violations:
 *  - a secret file name anywhere outside a party's directory, or of another role's kind
 *    inside one (a voter.key in a commission member's directory);
 *  - a party directory without any secret file of its role (the scan would see nothing);
 *  - any file, anywhere under the root, whose bytes contain a spelling of a party's secret,
 *    unless the file is inside that party's own directory;
 *  - any directory whose files (directly in it) hold secrets of more than one party.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fromHex, toHex } from "../../src/crypto/bytes.ts";
import { decodeTrusteeSecret } from "../../src/election/ceremony.ts";

export const PARTY_ROLES: Record<string, readonly string[]> = {
  commission: ["member.key"],
  registrars: ["registrar.key"],
  validators: ["validator.key"],
  trustees: ["trustee.key", "share.cbor", "signing.key", "share.key", "polynomial.key"],
  voters: ["voter.key"],
};
const HEX_SEED_FILES = new Set([
  "member.key",
  "registrar.key",
  "validator.key",
  "voter.key",
  "trustee.key",
]);
const SECRET_FILE_NAMES = new Set(Object.values(PARTY_ROLES).flat());

export interface Party {
  /** e.g. "voters/7": role directory and the party's directory name. */
  readonly id: string;
  readonly dir: string;
  readonly secrets: { readonly file: string; readonly spellings: readonly Buffer[] }[];
}

export interface ScanResult {
  readonly parties: Party[];
  readonly filesScanned: number;
  readonly violations: string[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return walk(path);
    return e.isFile() ? [path] : [];
  });
}

function spellings(secret: Uint8Array): Buffer[] {
  const hex = toHex(secret);
  return [
    Buffer.from(secret),
    Buffer.from(hex, "latin1"),
    Buffer.from(hex.toUpperCase(), "latin1"),
    Buffer.from(Buffer.from(secret).toString("base64"), "latin1"),
  ];
}

function secretOf(path: string, name: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path));
  if (HEX_SEED_FILES.has(name)) {
    const text = readFileSync(path, "latin1").trim();
    if (/^[0-9a-fA-F]{64}$/.test(text)) return fromHex(text.toLowerCase(), 32);
  }
  if (name === "share.cbor") return decodeTrusteeSecret(bytes).share;
  return bytes;
}

function isInside(file: string, dir: string): boolean {
  return file.startsWith(dir + sep);
}

export function scanPartySecrets(root: string): ScanResult {
  const violations: string[] = [];
  const parties: Party[] = [];
  for (const [role, names] of Object.entries(PARTY_ROLES)) {
    let entries: string[] = [];
    try {
      entries = readdirSync(join(root, role)).filter((n) =>
        statSync(join(root, role, n)).isDirectory(),
      );
    } catch {
      continue;
    }
    for (const name of entries) {
      const dir = join(root, role, name);
      const secrets = walk(dir).flatMap((file) => {
        const base = file.slice(file.lastIndexOf(sep) + 1);
        if (!SECRET_FILE_NAMES.has(base)) return [];
        if (!names.includes(base)) {
          violations.push(`${relative(root, file)}: a ${base} does not belong to a ${role} party`);
          return [];
        }
        return [{ file, spellings: spellings(secretOf(file, base)) }];
      });
      if (secrets.length === 0) violations.push(`${role}/${name} holds no secret file of its role`);
      parties.push({ id: `${role}/${name}`, dir, secrets });
    }
  }
  const files = walk(root);
  const owners = new Map<string, Set<string>>();
  for (const file of files) {
    const base = file.slice(file.lastIndexOf(sep) + 1);
    if (SECRET_FILE_NAMES.has(base) && !parties.some((p) => isInside(file, p.dir))) {
      violations.push(`${relative(root, file)}: a secret file outside every party's directory`);
    }
    const content = readFileSync(file);
    const holders = new Set<string>();
    for (const party of parties) {
      const held = party.secrets.some((s) => s.spellings.some((b) => content.includes(b)));
      if (!held) continue;
      holders.add(party.id);
      if (!isInside(file, party.dir)) {
        violations.push(`${relative(root, file)} holds a secret of ${party.id}`);
      }
    }
    const dir = file.slice(0, file.lastIndexOf(sep));
    const inDir = owners.get(dir) ?? new Set<string>();
    for (const h of holders) inDir.add(h);
    owners.set(dir, inDir);
  }
  for (const [dir, holders] of owners) {
    if (holders.size > 1) {
      violations.push(
        `${relative(root, dir) || "."} holds secrets of ${holders.size} parties: ${[...holders].join(", ")}`,
      );
    }
  }
  return { parties, filesScanned: files.length, violations };
}
