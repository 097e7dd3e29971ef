/**
 * `saylau validator keygen|config`: a validator's operator makes its key, then, once the
 * manifest is assembled, writes its node configuration from public information only: the
 * manifest (which validator index its key has) and the spec's network addresses (where it
 * listens and where its peers are). Its directory holds only its own key.
 */
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { bytesEqual, toHex } from "../../crypto/bytes.ts";
import { SaylauError } from "../../errors.ts";
import { parse, required } from "../args.ts";
import { httpAddress, readElectionSpec } from "../election-spec.ts";
import { loadManifest } from "../manifest-file.ts";
import { EXIT } from "../output.ts";
import { keyFileName, partyKeygen, readPartyKey } from "../party-keys.ts";

export const validatorHelp = `saylau validator keygen --dir DIR
saylau validator config --dir DIR --manifest FILE --spec FILE [--ceremony FILE]

keygen  makes the validator's key: DIR/validator.key (secret, mode 0600, plain hex: the node
        reads it unattended) and DIR/validator.pub (public: the coordinator names it in the
        election spec). Prints the public key.
config  finds this validator in the manifest by its key, copies the manifest to
        DIR/manifest.cbor and writes DIR/config.json: listen where the spec's validators
        entry says (p2p, http), reach the other validators at theirs, keep data in DIR/data.
        --ceremony FILE: the key ceremony's transcript (public), copied to DIR/ceremony.cbor;
        the validator checks it against the manifest at start, serves it and puts it in
        the exported record, where the audit verifies it.
        Then: saylau node start --config DIR/config.json`;

function writeConfig(
  dir: string,
  manifestPath: string,
  specPath: string,
  ceremonyPath: string | undefined,
): number {
  const key = readPartyKey(dir, "validator");
  const ctx = loadManifest(manifestPath);
  const spec = readElectionSpec(specPath);
  const index = ctx.manifest.validators.findIndex((v) => bytesEqual(v.publicKey, key.publicKey));
  if (index < 0) {
    throw new SaylauError(
      "cli/not_a_validator",
      `key ${toHex(key.publicKey)} is not a validator of this manifest`,
    );
  }
  if (spec.validators.length !== ctx.manifest.validators.length) {
    throw new SaylauError("spec/invalid", "the spec and the manifest list different validators");
  }
  const own = spec.validators[index]!;
  const http = httpAddress(own.http, `validators[${index}].http`);
  const target = join(dir, "manifest.cbor");
  if (resolve(manifestPath) !== resolve(target)) copyFileSync(manifestPath, target);
  if (ceremonyPath !== undefined) copyFileSync(ceremonyPath, join(dir, "ceremony.cbor"));
  const config = {
    dataDir: "data",
    manifestFile: "manifest.cbor",
    keyFile: keyFileName("validator"),
    p2pListen: own.p2p,
    httpHost: http.host,
    httpPort: http.port,
    peers: spec.validators.flatMap((v, i) => (i === index ? [] : [{ index: i, address: v.p2p }])),
    ...(ceremonyPath === undefined ? {} : { ceremonyFile: "ceremony.cbor" }),
  };
  const path = join(dir, "config.json");
  if (existsSync(path)) throw new SaylauError("cli/exists", `${path} exists; not overwritten`);
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return index;
}

export async function runValidator(args: string[]): Promise<number> {
  const parsed = parse(
    args,
    {
      dir: { type: "string" },
      manifest: { type: "string" },
      spec: { type: "string" },
      ceremony: { type: "string" },
    },
    true,
  );
  const [sub, ...extra] = parsed.positionals;
  if (parsed.help || sub === undefined) {
    console.log(validatorHelp);
    return parsed.help ? EXIT.ok : EXIT.usage;
  }
  if (extra.length > 0) throw new SaylauError("cli/usage", `unexpected "${extra[0]}"`);
  const dir = required(parsed, "dir");
  if (sub === "keygen") {
    console.log(toHex(partyKeygen(dir, "validator").publicKey));
    return EXIT.ok;
  }
  if (sub === "config") {
    const index = writeConfig(
      dir,
      required(parsed, "manifest"),
      required(parsed, "spec"),
      parsed.values.ceremony as string | undefined,
    );
    console.log(`validator ${index}: ${join(dir, "config.json")} written`);
    return EXIT.ok;
  }
  throw new SaylauError("cli/usage", `unknown validator command "${sub}"`);
}
