/**
 * `saylau registrar keygen|register|revoke`: a region's registrar, on its own machine, makes
 * its key and registers (or revokes) voters' public keys in its own region's districts. Its
 * directory holds only its key (party-keys.ts); the voters' keys it reads are public.
 */
import { bytesEqual, toHex } from "../../crypto/bytes.ts";
import type { Ed25519KeyPair } from "../../crypto/ed25519.ts";
import { SaylauError } from "../../errors.ts";
import { MAX_CREDENTIALS_PER_REGISTER } from "../../ledger/limits.ts";
import { registerTx, revokeTx } from "../../ledger/tx-builders.ts";
import type { SubmitResult } from "../../node/api/service.ts";
import { parse, required } from "../args.ts";
import { apiRequest } from "../http-client.ts";
import { loadManifest, type ManifestContext } from "../manifest-file.ts";
import { EXIT } from "../output.ts";
import { partyKeygen, readPartyKey, readPublicKeyList } from "../party-keys.ts";
import { waitCommitted } from "../submit.ts";

export const registrarHelp = `saylau registrar keygen --dir DIR
saylau registrar register --dir DIR --manifest FILE --district ID --keys FILE --node URL [--no-wait]
saylau registrar revoke --dir DIR --manifest FILE --keys FILE --node URL [--no-wait]

keygen    makes the registrar's key: DIR/registrar.key (secret, mode 0600, plain hex) and
          DIR/registrar.pub (public: the coordinator names it as the region's registrar in
          the election spec). Prints the public key.
register  registers the voters' public keys in FILE (64 hex digits a line; blank lines and
          "#" comments skipped) to district ID (its id in the manifest), which must be in
          this registrar's region, in transactions of up to ${MAX_CREDENTIALS_PER_REGISTER} keys signed with
          DIR/registrar.key, and waits until every one is committed (unless --no-wait).
revoke    revokes the keys in FILE in this registrar's region (a revoked key's ballots no
          longer count), in the same batches.`;

/** The region whose registrar `key` is, or an error. */
function ownRegion(ctx: ManifestContext, key: Ed25519KeyPair): number {
  const region = ctx.manifest.regions.findIndex((r) => bytesEqual(r.registrar, key.publicKey));
  if (region < 0) {
    throw new SaylauError(
      "cli/not_a_registrar",
      `key ${toHex(key.publicKey)} is not the registrar of any region of this manifest`,
    );
  }
  return region;
}

async function submitBatches(
  node: string,
  keys: Uint8Array[],
  build: (batch: Uint8Array[]) => Uint8Array,
  wait: boolean,
): Promise<number> {
  const pending: SubmitResult[] = [];
  for (let i = 0; i < keys.length; i += MAX_CREDENTIALS_PER_REGISTER) {
    const batch = keys.slice(i, i + MAX_CREDENTIALS_PER_REGISTER);
    pending.push(
      await apiRequest<SubmitResult>(node, "/v1/transactions", { tx: toHex(build(batch)) }),
    );
  }
  if (wait) for (const p of pending) await waitCommitted(node, p.id);
  return pending.length;
}

export async function runRegistrar(args: string[]): Promise<number> {
  const parsed = parse(
    args,
    {
      dir: { type: "string" },
      manifest: { type: "string" },
      district: { type: "string" },
      keys: { type: "string" },
      node: { type: "string" },
      "no-wait": { type: "boolean" },
    },
    true,
  );
  const [sub, ...extra] = parsed.positionals;
  if (parsed.help || sub === undefined) {
    console.log(registrarHelp);
    return parsed.help ? EXIT.ok : EXIT.usage;
  }
  if (extra.length > 0) throw new SaylauError("cli/usage", `unexpected "${extra[0]}"`);
  const dir = required(parsed, "dir");
  if (sub === "keygen") {
    console.log(toHex(partyKeygen(dir, "registrar").publicKey));
    return EXIT.ok;
  }
  if (sub !== "register" && sub !== "revoke") {
    throw new SaylauError("cli/usage", `unknown registrar command "${sub}"`);
  }
  const registrar = readPartyKey(dir, "registrar");
  const ctx = loadManifest(required(parsed, "manifest"));
  const region = ownRegion(ctx, registrar);
  const keys = readPublicKeyList(required(parsed, "keys"));
  const node = required(parsed, "node");
  const wait = parsed.values["no-wait"] !== true;
  const regionId = ctx.manifest.regions[region]!.id;
  if (sub === "register") {
    const id = required(parsed, "district");
    const district = ctx.geography.districts.find((d) => d.id === id);
    if (district === undefined) {
      throw new SaylauError("ledger/unknown_district", `the manifest has no district "${id}"`);
    }
    if (district.region !== region) {
      throw new SaylauError(
        "ledger/wrong_registrar",
        `district ${id} is not in region ${regionId}, whose registrar this is`,
      );
    }
    const txs = await submitBatches(
      node,
      keys,
      (batch) => registerTx(ctx.electionId, registrar, district.index, batch),
      wait,
    );
    console.log(
      `${keys.length} voter key(s) ${wait ? "registered" : "submitted"} in district ${id} (region ${regionId}), ${txs} transaction(s)`,
    );
    return EXIT.ok;
  }
  if (parsed.values.district !== undefined) {
    throw new SaylauError("cli/usage", "revoke takes no --district: it revokes in the region");
  }
  const txs = await submitBatches(
    node,
    keys,
    (batch) => revokeTx(ctx.electionId, registrar, region, batch),
    wait,
  );
  console.log(
    `${keys.length} voter key(s) ${wait ? "revoked" : "submitted for revocation"} in region ${regionId}, ${txs} transaction(s)`,
  );
  return EXIT.ok;
}
