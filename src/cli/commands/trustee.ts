import { fromHex, toHex } from "../../crypto/bytes.ts";
import { SaylauError } from "../../errors.ts";
import { decodeTally } from "../../ledger/ballot-crypto.ts";
import { ledgerContext } from "../../ledger/context.ts";
import { decryptionTx } from "../../ledger/tx-builders.ts";
import type { SubmitResult, TallyView } from "../../node/api/service.ts";
import { integer, parse, required } from "../args.ts";
import { readManifestBytes, readTrustee } from "../election-dir.ts";
import { apiRequest } from "../http-client.ts";
import { EXIT } from "../output.ts";
import { runTrusteeCeremony } from "./trustee-ceremony.ts";

export const trusteeHelp = `saylau trustee decrypt --dir DIR --trustee I --node URL
saylau trustee ceremony <step> ...    (the key ceremony: saylau trustee ceremony --help)

After the polls close, computes trustee I's partial decryption of each district's
encrypted tally not yet decrypted (with Chaum-Pedersen proofs against the trustee's
verification key), signs each with DIR/trustees/I/trustee.key and submits them, one
transaction per district. A share decrypts nothing but that district's tally.`;

export async function trusteeDecrypt(
  dir: string,
  index: number,
  node: string,
): Promise<SubmitResult[]> {
  const ctx = ledgerContext(readManifestBytes(dir));
  const view = await apiRequest<TallyView>(node, "/v1/tally");
  if (view.phase !== "closed" && Date.now() < view.closesAt) {
    throw new SaylauError(
      "ledger/wrong_phase",
      `polls close at ${new Date(view.closesAt).toISOString()}; decrypt after they close`,
    );
  }
  const trustee = readTrustee(dir, index);
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

export async function runTrustee(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "ceremony") return runTrusteeCeremony(rest);
  const parsed = parse(rest, {
    dir: { type: "string" },
    trustee: { type: "string" },
    node: { type: "string" },
  });
  if (parsed.help || sub === undefined || sub.startsWith("-")) {
    console.log(trusteeHelp);
    return parsed.help || sub === "--help" || sub === "-h" ? EXIT.ok : EXIT.usage;
  }
  if (sub !== "decrypt") throw new SaylauError("cli/usage", `unknown trustee command "${sub}"`);
  const index = integer(parsed, "trustee", 0, 1, 64);
  if (index === 0)
    throw new SaylauError("cli/usage", "--trustee is required (trustees count from 1)");
  const results = await trusteeDecrypt(required(parsed, "dir"), index, required(parsed, "node"));
  console.log(`trustee ${index}'s decryption shares of ${results.length} district(s) submitted`);
  return EXIT.ok;
}
