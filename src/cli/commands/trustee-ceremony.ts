/**
 * `saylau trustee ceremony init|shares|verify|finish`, run by each trustee on its own
 * directory, and `saylau ceremony assemble`, run by anyone on the shared bulletin directory:
 * the command line around the steps of ../ceremony-steps.ts.
 */
import { fromHex, toHex } from "../../crypto/bytes.ts";
import { SaylauError } from "../../errors.ts";
import { integer, parse, required } from "../args.ts";
import {
  ceremonyAssemble,
  ceremonyFinish,
  ceremonyInit,
  ceremonyShares,
  ceremonyVerify,
  type StepInput,
} from "../ceremony-steps.ts";
import { passphraseFrom } from "../keystore.ts";
import { EXIT } from "../output.ts";

export const trusteeCeremonyHelp = `saylau trustee ceremony <step> --dir DIR --public DIR [--passphrase-file FILE]

The dealer-less key ceremony, run by each trustee on its own machine. DIR is the trustee's
own directory (its secrets, encrypted with the passphrase); --public is the shared bulletin
directory every trustee and the coordinator can read and write. The passphrase comes from
the first line of --passphrase-file, or else the SAYLAU_PASSPHRASE environment variable.

Steps, each run by every trustee before any trustee starts the next:
  init --index I --ceremony-id HEX --threshold T --trustees N
           makes the signing key and the secret polynomial, publishes the commitments
  shares   publishes an encrypted share for every other trustee
  verify   opens the shares addressed to this trustee, publishes accept or a complaint
  finish   checks the whole transcript, stores the key share, deletes the polynomial`;

export const ceremonyHelp = `saylau ceremony assemble --public DIR --out FILE

Builds the key ceremony's transcript from the bulletin directory's public files alone,
verifies every signature, proof and verdict in it, writes it to FILE and prints the joint
key, the trustees' signing keys and the transcript hash (the manifest's "ceremony").`;

function stepInput(parsed: ReturnType<typeof parse>): StepInput {
  const file = parsed.values["passphrase-file"];
  return {
    dir: required(parsed, "dir"),
    publicDir: required(parsed, "public"),
    passphrase: passphraseFrom(typeof file === "string" ? file : undefined),
  };
}

export async function runTrusteeCeremony(args: string[]): Promise<number> {
  const [step, ...rest] = args;
  const parsed = parse(rest, {
    dir: { type: "string" },
    public: { type: "string" },
    "passphrase-file": { type: "string" },
    index: { type: "string" },
    "ceremony-id": { type: "string" },
    threshold: { type: "string" },
    trustees: { type: "string" },
  });
  if (parsed.help || step === undefined || step.startsWith("-")) {
    console.log(trusteeCeremonyHelp);
    return parsed.help || step === "--help" || step === "-h" ? EXIT.ok : EXIT.usage;
  }
  const initOnly = ["index", "ceremony-id", "threshold", "trustees"];
  if (step !== "init" && initOnly.some((k) => parsed.values[k] !== undefined)) {
    throw new SaylauError("cli/usage", `--${initOnly.join(", --")} go with init only`);
  }
  switch (step) {
    case "init": {
      const input = stepInput(parsed);
      let ceremonyId: Uint8Array;
      try {
        ceremonyId = fromHex(required(parsed, "ceremony-id"), 32);
      } catch {
        throw new SaylauError("cli/usage", "--ceremony-id is 64 hex digits (32 bytes)");
      }
      const trusteeCount = integer(parsed, "trustees", 0, 1, 64);
      const threshold = integer(parsed, "threshold", 0, 1, 64);
      const index = integer(parsed, "index", 0, 1, 64);
      if (trusteeCount === 0 || threshold === 0 || index === 0) {
        throw new SaylauError("cli/usage", "--index, --threshold and --trustees are required");
      }
      const { signingKey } = ceremonyInit({ ...input, index, ceremonyId, threshold, trusteeCount });
      console.log(`trustee ${index} of ${trusteeCount} (threshold ${threshold}) is set up`);
      console.log(`signing key: ${toHex(signingKey)}  (read it out to the commission)`);
      return EXIT.ok;
    }
    case "shares": {
      const { recipients } = ceremonyShares(stepInput(parsed));
      console.log(`encrypted shares published for trustees ${recipients.join(", ")}`);
      return EXIT.ok;
    }
    case "verify": {
      const { accepted, complaints } = ceremonyVerify(stepInput(parsed));
      if (accepted.length > 0)
        console.log(`accepted the shares of trustees ${accepted.join(", ")}`);
      for (const c of complaints) {
        console.log(`COMPLAINT published against trustee ${c.sender}: ${c.fault}`);
      }
      return complaints.length === 0 ? EXIT.ok : EXIT.failed;
    }
    case "finish": {
      const { ceremony, verificationKey } = ceremonyFinish(stepInput(parsed));
      console.log(`key share stored; polynomial deleted`);
      console.log(`joint key:        ${toHex(ceremony.jointKey)}`);
      console.log(`verification key: ${toHex(verificationKey)}`);
      console.log(`transcript hash:  ${toHex(ceremony.hash)}`);
      return EXIT.ok;
    }
    default:
      throw new SaylauError("cli/usage", `unknown ceremony step "${step}"`);
  }
}

export async function runCeremony(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(rest, { public: { type: "string" }, out: { type: "string" } });
  if (parsed.help || sub === undefined || sub.startsWith("-")) {
    console.log(ceremonyHelp);
    return parsed.help || sub === "--help" || sub === "-h" ? EXIT.ok : EXIT.usage;
  }
  if (sub !== "assemble") throw new SaylauError("cli/usage", `unknown ceremony command "${sub}"`);
  const ceremony = ceremonyAssemble(required(parsed, "public"), required(parsed, "out"));
  const { threshold, trusteeCount, ceremonyId } = ceremony.parameters;
  console.log(`ceremony ${toHex(ceremonyId)}: ${threshold} of ${trusteeCount} trustees, verified`);
  console.log(`joint key:       ${toHex(ceremony.jointKey)}`);
  ceremony.signingKeys.forEach((k, i) => {
    console.log(`trustee ${i + 1} key:   ${toHex(k)}`);
  });
  console.log(`transcript hash: ${toHex(ceremony.hash)}`);
  return EXIT.ok;
}
