import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fromHex, toHex } from "../../crypto/bytes.ts";
import { SaylauError } from "../../errors.ts";
import { decodeManifest, electionIdOf } from "../../ledger/manifest.ts";
import type {
  BlockView,
  ConsistencyView,
  ReceiptView,
  StatusView,
} from "../../node/api/service.ts";
import { checkHeadExtends } from "../../receipt/head-check.ts";
import { decodeReceipt, type Receipt, verifyReceipt } from "../../receipt/receipt.ts";
import { parse, required } from "../args.ts";
import { apiRequest } from "../http-client.ts";
import { EXIT } from "../output.ts";

export const receiptHelp = `saylau receipt fetch ID|TRACKING-CODE --node URL [--out FILE]
saylau receipt verify FILE --manifest MANIFEST [--against URL]

fetch   asks a validator for the inclusion receipt of a committed ballot and writes it
        to FILE (default receipt-<id prefix>.cbor).
verify  checks a receipt offline against the manifest alone: the audit path leads from
        the ballot id to the header's log root, the header is the block the certificate
        finalises, and a quorum of the manifest's validators signed it. With --against,
        also fetches that node's current head, checks its certificate, and checks an
        RFC 9162 consistency proof that the ledger only grew since the receipt.
Exit code 0: valid; 1: invalid (the reason is printed); 2: usage; 3: cannot read or reach.`;

export async function fetchReceipt(node: string, id: string): Promise<ReceiptView> {
  return apiRequest<ReceiptView>(node, `/v1/ballots/${encodeURIComponent(id)}/receipt`);
}

/** Checks that `node`'s current head extends the receipt's header; returns the head height. */
export async function checkAgainst(
  node: string,
  manifest: Uint8Array,
  receipt: Receipt,
): Promise<number> {
  const electionId = electionIdOf(manifest);
  const validators = decodeManifest(manifest).validators.map((v) => v.publicKey);
  const status = await apiRequest<StatusView>(node, "/v1/status");
  const headView = await apiRequest<BlockView>(node, `/v1/blocks/${status.height}`);
  return checkHeadExtends(
    { electionId, validators },
    receipt,
    {
      block: fromHex(headView.block),
      certificate: headView.certificate === null ? null : fromHex(headView.certificate),
    },
    async (from, to) => {
      const proof = await apiRequest<ConsistencyView>(
        node,
        `/v1/proofs/consistency?from=${from}&to=${to}`,
      );
      return proof.proof.map((p) => fromHex(p, 32));
    },
  );
}

export async function runReceipt(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(
    rest,
    {
      node: { type: "string" },
      out: { type: "string" },
      manifest: { type: "string" },
      against: { type: "string" },
    },
    true,
  );
  if (parsed.help || sub === undefined || sub.startsWith("-")) {
    console.log(receiptHelp);
    return parsed.help || sub === "--help" || sub === "-h" ? EXIT.ok : EXIT.usage;
  }
  const target = parsed.positionals[0];
  if (target === undefined)
    throw new SaylauError("cli/usage", `saylau receipt ${sub} needs an argument`);
  if (sub === "fetch") {
    const view = await fetchReceipt(required(parsed, "node"), target);
    const out =
      (parsed.values.out as string | undefined) ?? `receipt-${view.ballotId.slice(0, 16)}.cbor`;
    writeFileSync(out, fromHex(view.receipt));
    console.log(`receipt for ${view.ballotId} (${view.trackingCode})`);
    console.log(
      `  leaf ${view.leafIndex} of ${view.header.logSize}, block ${view.header.height}; written to ${out}`,
    );
    return EXIT.ok;
  }
  if (sub === "verify") {
    const manifestPath = required(parsed, "manifest");
    for (const f of [target, manifestPath]) {
      if (!existsSync(f)) throw new SaylauError("cli/missing_file", `${f} does not exist`);
    }
    const manifest = new Uint8Array(readFileSync(manifestPath));
    const electionId = electionIdOf(manifest);
    const validators = decodeManifest(manifest).validators.map((v) => v.publicKey);
    try {
      // A file that does not even decode is an invalid receipt too, reported the same way.
      const receipt = decodeReceipt(new Uint8Array(readFileSync(target)));
      verifyReceipt({ electionId, validators }, receipt);
      console.log(
        `VALID: ballot ${toHex(receipt.ballotId)} is leaf ${receipt.leafIndex} of the ledger finalised at block ${receipt.header.height}`,
      );
      console.log(
        `  certified by ${receipt.certificate.signatures.length} of ${validators.length} validators`,
      );
      const against = parsed.values.against as string | undefined;
      if (against !== undefined) {
        const height = await checkAgainst(against, manifest, receipt);
        console.log(`  and ${against} at block ${height} extends it: the ledger only grew since`);
      }
      return EXIT.ok;
    } catch (err) {
      if (err instanceof SaylauError && !err.code.startsWith("cli/")) {
        console.log(`INVALID: ${err.code}: ${err.message}`);
        return EXIT.failed;
      }
      throw err;
    }
  }
  throw new SaylauError("cli/usage", `unknown receipt command "${sub}"; use fetch or verify`);
}
