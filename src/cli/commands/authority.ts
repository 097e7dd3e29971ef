/** Authority commands: register voter credentials, open and close the polls. */
import { join } from "node:path";
import { toHex } from "../../crypto/bytes.ts";
import { SaylauError } from "../../errors.ts";
import { MAX_CREDENTIALS_PER_REGISTER } from "../../ledger/limits.ts";
import { decodeManifest, electionIdOf } from "../../ledger/manifest.ts";
import { phaseTx, registerTx } from "../../ledger/tx-builders.ts";
import type { StatusView, SubmitResult, TxStatusView } from "../../node/api/service.ts";
import { parse, required } from "../args.ts";
import { readKey, readManifestBytes, readVoters } from "../election-dir.ts";
import { apiRequest } from "../http-client.ts";
import { EXIT, Progress } from "../output.ts";

export const votersHelp = `saylau voters register --dir DIR --node URL

Registers every credential in DIR/voters.txt, signed by DIR/authority.key, in transactions
of up to ${MAX_CREDENTIALS_PER_REGISTER} credentials, and waits until they are committed.`;

export const pollsHelp = `saylau polls open|close --dir DIR --node URL [--no-wait]

Submits the authority's phase transaction (setup -> open -> closed) and waits until it
is committed, unless --no-wait.`;

/** Wait until a submitted transaction is committed (or time runs out). */
export async function waitCommitted(
  node: string,
  id: string,
  timeoutMs = 120_000,
): Promise<TxStatusView> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const status = await apiRequest<TxStatusView>(node, `/v1/transactions/${id}`);
    if (status.status === "committed") return status;
    if (status.status === "dropped") {
      throw new SaylauError(
        status.reason.code,
        `transaction ${id} was not committed: ${status.reason.message}`,
      );
    }
    if (Date.now() > end)
      throw new SaylauError(
        "cli/timeout",
        `transaction ${id} not committed after ${timeoutMs / 1000} s`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function registerVoters(dir: string, node: string): Promise<number> {
  const manifestBytes = readManifestBytes(dir);
  const electionId = electionIdOf(manifestBytes);
  const authority = readKey(join(dir, "authority.key"));
  const voters = readVoters(dir);
  const progress = new Progress("registering", voters.length);
  let last: SubmitResult | undefined;
  for (let i = 0; i < voters.length; i += MAX_CREDENTIALS_PER_REGISTER) {
    const batch = voters.slice(i, i + MAX_CREDENTIALS_PER_REGISTER).map((v) => v.publicKey);
    last = await apiRequest<SubmitResult>(node, "/v1/transactions", {
      tx: toHex(registerTx(electionId, authority, batch)),
    });
    progress.tick(batch.length);
  }
  if (last !== undefined) await waitCommitted(node, last.id);
  return voters.length;
}

export async function setPhase(
  dir: string,
  node: string,
  phase: "open" | "closed",
  wait = true,
): Promise<SubmitResult> {
  const manifestBytes = readManifestBytes(dir);
  decodeManifest(manifestBytes);
  const authority = readKey(join(dir, "authority.key"));
  const result = await apiRequest<SubmitResult>(node, "/v1/transactions", {
    tx: toHex(phaseTx(electionIdOf(manifestBytes), authority, phase)),
  });
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

export async function runPolls(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(rest, {
    dir: { type: "string" },
    node: { type: "string" },
    "no-wait": { type: "boolean" },
  });
  if (parsed.help || sub === undefined || sub.startsWith("-")) {
    console.log(pollsHelp);
    return parsed.help || sub === "--help" || sub === "-h" ? EXIT.ok : EXIT.usage;
  }
  if (sub !== "open" && sub !== "close")
    throw new SaylauError("cli/usage", `polls takes open or close, not "${sub}"`);
  const node = required(parsed, "node");
  const result = await setPhase(
    required(parsed, "dir"),
    node,
    sub === "open" ? "open" : "closed",
    parsed.values["no-wait"] !== true,
  );
  const status = await apiRequest<StatusView>(node, "/v1/status");
  console.log(
    `polls ${sub === "open" ? "opened" : "closed"} (transaction ${result.id}); phase is now ${status.phase}`,
  );
  return EXIT.ok;
}
