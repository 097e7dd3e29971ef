/**
 * `saylau commission keygen|sign|submit`: each member of the central commission makes its key
 * and signs decisions on its own machine; anyone gathers k signature files and submits the
 * decision. A member's directory holds only that member's key (party-keys.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { toHex } from "../../crypto/bytes.ts";
import { SaylauError } from "../../errors.ts";
import type { StatusView } from "../../node/api/service.ts";
import { parse, required } from "../args.ts";
import { commissionTxFromSignatures, memberIndex, signDecision } from "../commission-signature.ts";
import { parseUtcTime } from "../election-spec.ts";
import { apiRequest } from "../http-client.ts";
import { passphraseFrom } from "../keystore.ts";
import { loadManifest, showTime } from "../manifest-file.ts";
import { EXIT } from "../output.ts";
import { partyKeygen, readPartyKey } from "../party-keys.ts";
import { submitTx } from "../submit.ts";
import { runTestCommission } from "./test-election-parties.ts";

export const commissionHelp = `saylau commission keygen --dir DIR
saylau commission sign --dir DIR --manifest FILE approve|extend [--closes-at ISO] --out SIG
saylau commission submit --manifest FILE --signatures SIG [SIG...] --node URL [--no-wait]

keygen   makes this member's key: DIR/member.key (secret, mode 0600, encrypted with the
         member's passphrase: keep DIR on this member's machine) and DIR/member.pub
         (public: hand it to the coordinator, who names it in the election spec). Prints
         the public key.
sign     this member signs one decision of the commission and writes it to SIG (public):
           approve   the manifest as it is (nothing is accepted before k members approve)
           extend    the polls close later, at --closes-at (ISO 8601 with Z or an offset)
         It prints what it signs: the election, the action, the closing time.
submit   gathers the signature files (at least k, from different members, all over the same
         decision), checks each against the manifest, submits the commission transaction to
         the validator at URL and waits until it is committed (unless --no-wait).
(saylau commission approve|extend --dir TESTDIR --node URL: a test election's decision,
signed by its first k members; see saylau commission approve --help.)
keygen and sign take the passphrase from the first line of --passphrase-file FILE, or else
the SAYLAU_PASSPHRASE environment variable (never from the command line).`;

function passphraseOf(parsed: ReturnType<typeof parse>): string {
  const file = parsed.values["passphrase-file"];
  return passphraseFrom(typeof file === "string" ? file : undefined);
}

async function sign(parsed: ReturnType<typeof parse>): Promise<number> {
  const [, action] = parsed.positionals;
  if (action !== "approve" && action !== "extend") {
    throw new SaylauError("cli/usage", "commission sign takes approve or extend");
  }
  const member = readPartyKey(required(parsed, "dir"), "member", passphraseOf(parsed));
  const ctx = loadManifest(required(parsed, "manifest"));
  const { manifest } = ctx;
  const closesAtText = parsed.values["closes-at"];
  let closesAt: number;
  if (action === "approve") {
    if (closesAtText !== undefined) {
      throw new SaylauError(
        "cli/usage",
        "approve signs the manifest's own schedule: no --closes-at",
      );
    }
    closesAt = manifest.schedule.closesAt;
  } else {
    closesAt = parseUtcTime(required(parsed, "closes-at"), "--closes-at", "cli/usage");
  }
  const out = required(parsed, "out");
  writeFileSync(out, signDecision(manifest, ctx.electionId, member, action, closesAt));
  const index = memberIndex(manifest, member.publicKey);
  console.log(`election   ${manifest.name} (${toHex(ctx.electionId)})`);
  console.log(`member     ${index} (${manifest.commission.members[index]!.name})`);
  console.log(
    `decision   ${action}: polls open ${showTime(manifest.schedule.opensAt, manifest.schedule.timeZone)}`,
  );
  console.log(`           and close ${showTime(closesAt, manifest.schedule.timeZone)}`);
  console.log(`signature  written to ${out}`);
  return EXIT.ok;
}

async function submit(parsed: ReturnType<typeof parse>): Promise<number> {
  const ctx = loadManifest(required(parsed, "manifest"));
  const listed = (parsed.values.signatures as string[] | undefined) ?? [];
  const files = [...listed, ...parsed.positionals.slice(1)];
  const { tx, decision, members } = commissionTxFromSignatures(
    ctx.manifest,
    ctx.electionId,
    files.map((f) => ({ name: basename(f), bytes: new Uint8Array(readFileSync(f)) })),
  );
  const node = required(parsed, "node");
  const result = await submitTx(node, tx, parsed.values["no-wait"] !== true);
  const status = await apiRequest<StatusView>(node, "/v1/status");
  console.log(
    `commission decision "${decision.action}" signed by members ${members.join(", ")} ${parsed.values["no-wait"] === true ? "submitted" : "committed"} (transaction ${result.id}); phase is ${status.phase}`,
  );
  return EXIT.ok;
}

export async function runCommission(args: string[]): Promise<number> {
  if (args[0] === "approve" || args[0] === "extend") return runTestCommission(args);
  const parsed = parse(
    args,
    {
      dir: { type: "string" },
      manifest: { type: "string" },
      "closes-at": { type: "string" },
      out: { type: "string" },
      signatures: { type: "string", multiple: true },
      node: { type: "string" },
      "no-wait": { type: "boolean" },
      "passphrase-file": { type: "string" },
    },
    true,
  );
  const sub = parsed.positionals[0];
  if (parsed.help || sub === undefined) {
    console.log(commissionHelp);
    return parsed.help ? EXIT.ok : EXIT.usage;
  }
  switch (sub) {
    case "keygen": {
      const pair = partyKeygen(required(parsed, "dir"), "member", undefined, passphraseOf(parsed));
      console.log(toHex(pair.publicKey));
      return EXIT.ok;
    }
    case "sign":
      return sign(parsed);
    case "submit":
      return submit(parsed);
    default:
      throw new SaylauError(
        "cli/usage",
        `unknown commission command "${sub}": keygen, sign or submit (approve or extend for a test election directory)`,
      );
  }
}
