/**
 * The commission's and registrars' steps for a test election directory (election-dir.ts),
 * where every party's key sits in one directory: `saylau voters register` runs the
 * registrars' step from there, and tests and benchmarks call commissionDecide. A real
 * election (and the demo) runs each step on its holder's machine: saylau commission
 * sign|submit, saylau registrar register.
 */
import { join } from "node:path";
import { toHex } from "../../crypto/bytes.ts";
import { SaylauError } from "../../errors.ts";
import { ledgerContext } from "../../ledger/context.ts";
import { MAX_CREDENTIALS_PER_REGISTER } from "../../ledger/limits.ts";
import { commissionDecision, commissionTx, registerTx } from "../../ledger/tx-builders.ts";
import type { StatusView, SubmitResult } from "../../node/api/service.ts";
import { parse, required } from "../args.ts";
import { readKey, readManifestBytes, readVoters } from "../election-dir.ts";
import { apiRequest } from "../http-client.ts";
import { EXIT, Progress } from "../output.ts";
import { waitCommitted } from "../submit.ts";

export const votersHelp = `saylau voters register --dir DIR --node URL

Registers every credential in DIR/voters.txt to its district, each district's batch signed
by its region's registrar (DIR/registrars/<r>/registrar.key), in transactions of up to
${MAX_CREDENTIALS_PER_REGISTER} credentials, and waits until they are committed.`;

export const testCommissionHelp = `saylau commission approve|extend --dir TESTDIR --node URL [--closes-at ISO] [--no-wait]

TEST ELECTIONS ONLY (saylau election init): submits a decision of the central commission
signed by the first k members of the test election directory (TESTDIR/commission/<i>/
member.key): "approve" the manifest, or "extend" the polls to close at --closes-at. Waits
until it is committed, unless --no-wait. In a real election each member signs on its own
machine: saylau commission sign, then saylau commission submit.`;

export async function registerVoters(dir: string, node: string): Promise<number> {
  const ctx = ledgerContext(readManifestBytes(dir));
  const voters = readVoters(dir);
  const byDistrict = new Map<number, Uint8Array[]>();
  for (const v of voters) {
    const list = byDistrict.get(v.district) ?? [];
    list.push(v.key.publicKey);
    byDistrict.set(v.district, list);
  }
  const progress = new Progress("registering", voters.length);
  const pending: SubmitResult[] = [];
  for (const [district, keys] of byDistrict) {
    const info = ctx.geography.districts[district];
    if (info === undefined) {
      throw new SaylauError("ledger/unknown_district", `voters.txt names district ${district}`);
    }
    const registrar = readKey(join(dir, "registrars", String(info.region), "registrar.key"));
    for (let i = 0; i < keys.length; i += MAX_CREDENTIALS_PER_REGISTER) {
      const batch = keys.slice(i, i + MAX_CREDENTIALS_PER_REGISTER);
      pending.push(
        await apiRequest<SubmitResult>(node, "/v1/transactions", {
          tx: toHex(registerTx(ctx.electionId, registrar, district, batch)),
        }),
      );
      progress.tick(batch.length);
    }
  }
  for (const p of pending) await waitCommitted(node, p.id);
  return voters.length;
}

/** The commission's decision, signed by its first k members from the test directory. */
export async function commissionDecide(
  dir: string,
  node: string,
  action: "approve" | "extend",
  closesAt?: number,
  wait = true,
): Promise<SubmitResult> {
  const ctx = ledgerContext(readManifestBytes(dir));
  const { threshold } = ctx.manifest.commission;
  const signers = Array.from({ length: threshold }, (_, member) => ({
    member,
    key: readKey(join(dir, "commission", String(member), "member.key")),
  }));
  const when = action === "approve" ? ctx.manifest.schedule.closesAt : closesAt;
  if (when === undefined) throw new SaylauError("cli/usage", "extend needs --closes-at");
  const tx = commissionTx(commissionDecision(ctx.electionId, action, when), signers);
  const result = await apiRequest<SubmitResult>(node, "/v1/transactions", { tx: toHex(tx) });
  if (wait) await waitCommitted(node, result.id);
  return result;
}

export async function runVoters(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(rest, { dir: { type: "string" }, node: { type: "string" } });
  if (parsed.help || sub === undefined || sub.startsWith("-")) {
    console.log(votersHelp);
    return parsed.help || sub === "--help" || sub === "-h" ? EXIT.ok : EXIT.usage;
  }
  if (sub !== "register") throw new SaylauError("cli/usage", `unknown voters command "${sub}"`);
  const n = await registerVoters(required(parsed, "dir"), required(parsed, "node"));
  console.log(`${n} credentials registered`);
  return EXIT.ok;
}

/** `saylau commission approve|extend` on a test election directory. */
export async function runTestCommission(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(rest, {
    dir: { type: "string" },
    node: { type: "string" },
    "closes-at": { type: "string" },
    "no-wait": { type: "boolean" },
  });
  if (parsed.help) {
    console.log(testCommissionHelp);
    return EXIT.ok;
  }
  if (sub !== "approve" && sub !== "extend")
    throw new SaylauError("cli/usage", `commission takes approve or extend, not "${sub}"`);
  let closesAt: number | undefined;
  const closesAtText = parsed.values["closes-at"];
  if (typeof closesAtText === "string") {
    closesAt = Date.parse(closesAtText);
    if (Number.isNaN(closesAt)) {
      throw new SaylauError("cli/usage", `--closes-at "${closesAtText}" is not an ISO date-time`);
    }
  }
  const node = required(parsed, "node");
  const result = await commissionDecide(
    required(parsed, "dir"),
    node,
    sub,
    closesAt,
    parsed.values["no-wait"] !== true,
  );
  const status = await apiRequest<StatusView>(node, "/v1/status");
  console.log(
    `commission decision "${sub}" submitted (transaction ${result.id}); phase is ${status.phase}`,
  );
  return EXIT.ok;
}
