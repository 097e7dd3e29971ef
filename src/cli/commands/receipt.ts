import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { decodeCertificate, verifyCertificate } from "../../consensus/certificate.ts";
import { bytesEqual, fromHex, toHex } from "../../crypto/bytes.ts";
import { verifyConsistency } from "../../crypto/merkle.ts";
import { SaylauError } from "../../errors.ts";
import { decodeBlock, headerHash } from "../../ledger/block.ts";
import { decodeManifest, electionIdOf } from "../../ledger/manifest.ts";
import type {
  BlockView,
  ConsistencyView,
  ReceiptView,
  StatusView,
} from "../../node/api/service.ts";
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
  const head = decodeBlock(fromHex(headView.block)).header;
  if (headView.certificate === null)
    throw new SaylauError("receipt/no_head_certificate", "the node's head has no certificate");
  const certificate = decodeCertificate(fromHex(headView.certificate));
  if (certificate.height !== head.height || !bytesEqual(certificate.blockHash, headerHash(head))) {
    throw new SaylauError(
      "receipt/header_hash",
      "the node's head is not the block its certificate finalises",
    );
  }
  verifyCertificate(electionId, validators, certificate);
  const from = receipt.header.logSize;
  const to = head.logSize;
  if (to < from)
    throw new SaylauError(
      "receipt/log_shrank",
      `the node's log has ${to} entries, the receipt's ${from}`,
    );
  if (to === from) {
    if (!bytesEqual(head.logRoot, receipt.header.logRoot)) {
      throw new SaylauError(
        "receipt/fork",
        "same log size, different root: the ledger was rewritten",
      );
    }
    return head.height;
  }
  const proof = await apiRequest<ConsistencyView>(
    node,
    `/v1/proofs/consistency?from=${from}&to=${to}`,
  );
  const result = verifyConsistency(
    from,
    to,
    receipt.header.logRoot,
    head.logRoot,
    proof.proof.map((p) => fromHex(p, 32)),
  );
  if (!result.ok) {
    throw new SaylauError(
      "receipt/not_consistent",
      `the ledger did not only grow since the receipt (${result.reason})`,
    );
  }
  return head.height;
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
