import { existsSync } from "node:fs";
import { join } from "node:path";
import { fromHex, toHex } from "../../crypto/bytes.ts";
import type { Ed25519KeyPair } from "../../crypto/ed25519.ts";
import type { TrusteeSecret } from "../../election/ceremony.ts";
import { SaylauError } from "../../errors.ts";
import { decodeTally } from "../../ledger/ballot-crypto.ts";
import { type LedgerContext, ledgerContext } from "../../ledger/context.ts";
import { decryptionTx } from "../../ledger/tx-builders.ts";
import type { ElectionView, SubmitResult, TallyView } from "../../node/api/service.ts";
import { integer, parse, required } from "../args.ts";
import { loadTrusteeKeys, TRUSTEE_FILES } from "../ceremony-files.ts";
import { readManifestBytes, readTrustee, readTrusteeFiles } from "../election-dir.ts";
import { apiRequest } from "../http-client.ts";
import { passphraseFrom } from "../keystore.ts";
import { loadManifest } from "../manifest-file.ts";
import { EXIT } from "../output.ts";
import { runTrusteeCeremony } from "./trustee-ceremony.ts";

export const trusteeHelp = `saylau trustee decrypt --dir DIR --node URL [--manifest FILE] [--passphrase-file FILE]
saylau trustee decrypt --dir TESTDIR --trustee I --node URL    (a test election's trustee I)
saylau trustee ceremony <step> ...    (the key ceremony: saylau trustee ceremony --help)

After the polls close, computes this trustee's partial decryption of each district's
encrypted tally not yet decrypted (with Chaum-Pedersen proofs against the trustee's
verification key), signs each with the trustee's signing key and submits them, one
transaction per district. A share decrypts nothing but that district's tally.
DIR is the trustee's own directory from the key ceremony (trustee.json, signing.key,
share.key), opened with its passphrase (the first line of --passphrase-file, or else the
SAYLAU_PASSPHRASE environment variable); a directory without trustee.json holds the plain
files trustee.key (signing seed, hex) and share.cbor (key share) instead. The manifest
comes from --manifest FILE (checked against the validator's election id), or else from the
validator. With --trustee I, DIR is a test election directory (saylau election init).`;

type Trustee = { signing: Ed25519KeyPair; secret: TrusteeSecret };

/** Submits the trustee's decryption share of every district that still needs it. */
export async function trusteeDecrypt(
  ctx: LedgerContext,
  trustee: Trustee,
  node: string,
): Promise<SubmitResult[]> {
  const view = await apiRequest<TallyView>(node, "/v1/tally");
  if (view.phase !== "closed" && Date.now() < view.closesAt) {
    throw new SaylauError(
      "ledger/wrong_phase",
      `polls close at ${new Date(view.closesAt).toISOString()}; decrypt after they close`,
    );
  }
  const index = trustee.secret.index;
  const submitted: SubmitResult[] = [];
  for (const district of view.districts) {
    if (district.decrypted || district.decryptions.includes(index)) continue;
    const tally = decodeTally(ctx.districtCrypto[district.index]!, fromHex(district.tally));
    submitted.push(
      await apiRequest<SubmitResult>(node, "/v1/transactions", {
        tx: toHex(decryptionTx(ctx, trustee, district.index, tally)),
      }),
    );
  }
  return submitted;
}

/** The election's context from --manifest, or from the validator's own copy. */
async function manifestFor(node: string, file: string | undefined): Promise<LedgerContext> {
  const election = await apiRequest<ElectionView>(node, "/v1/election");
  const ctx = file === undefined ? ledgerContext(fromHex(election.manifest)) : loadManifest(file);
  if (toHex(ctx.electionId) !== election.electionId) {
    throw new SaylauError(
      "cli/other_election",
      `${node} runs election ${election.electionId}, not the manifest's ${toHex(ctx.electionId)}`,
    );
  }
  return ctx;
}

/** The trustee's keys from its own directory: the ceremony's key files, or plain files. */
function ownTrustee(dir: string, passphraseFile: string | undefined): Trustee {
  if (existsSync(join(dir, TRUSTEE_FILES.state))) {
    return loadTrusteeKeys(dir, passphraseFrom(passphraseFile));
  }
  if (!existsSync(join(dir, "trustee.key"))) {
    throw new SaylauError(
      "cli/usage",
      `${dir} holds no trustee's keys (${TRUSTEE_FILES.state} or trustee.key); with a test election directory, --trustee is required`,
    );
  }
  return readTrusteeFiles(dir);
}

export async function runTrustee(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "ceremony") return runTrusteeCeremony(rest);
  const parsed = parse(rest, {
    dir: { type: "string" },
    trustee: { type: "string" },
    manifest: { type: "string" },
    node: { type: "string" },
    "passphrase-file": { type: "string" },
  });
  if (parsed.help || sub === undefined || sub.startsWith("-")) {
    console.log(trusteeHelp);
    return parsed.help || sub === "--help" || sub === "-h" ? EXIT.ok : EXIT.usage;
  }
  if (sub !== "decrypt") throw new SaylauError("cli/usage", `unknown trustee command "${sub}"`);
  const dir = required(parsed, "dir");
  const node = required(parsed, "node");
  let ctx: LedgerContext;
  let trustee: Trustee;
  if (parsed.values.trustee !== undefined) {
    const index = integer(parsed, "trustee", 0, 1, 64);
    ctx = ledgerContext(readManifestBytes(dir));
    trustee = readTrustee(dir, index);
  } else {
    trustee = ownTrustee(dir, parsed.values["passphrase-file"] as string | undefined);
    ctx = await manifestFor(node, parsed.values.manifest as string | undefined);
  }
  const results = await trusteeDecrypt(ctx, trustee, node);
  console.log(
    `trustee ${trustee.secret.index}'s decryption shares of ${results.length} district(s) submitted`,
  );
  return EXIT.ok;
}
