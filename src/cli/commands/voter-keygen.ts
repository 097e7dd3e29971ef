/**
 * `saylau voter keygen --dir DIR`: the voter's own key, made on the voter's machine:
 * DIR/voter.key (secret, mode 0600) and DIR/voter.pub (public: what the registrar
 * registers). Prints the public key.
 */
import { toHex } from "../../crypto/bytes.ts";
import { SaylauError } from "../../errors.ts";
import { parse, required } from "../args.ts";
import { EXIT } from "../output.ts";
import { partyKeygen } from "../party-keys.ts";

export const voterHelp = `saylau voter keygen --dir DIR

Makes a new voter key from this machine's randomness: DIR/voter.key holds the secret seed
(mode 0600; it never leaves DIR) and DIR/voter.pub the public key. Prints only the public
key, as hex: give it to your registrar.`;

export async function runVoter(args: string[]): Promise<number> {
  const parsed = parse(args, { dir: { type: "string" } }, true);
  const [sub, ...extra] = parsed.positionals;
  if (parsed.help || sub === undefined) {
    console.log(voterHelp);
    return parsed.help ? EXIT.ok : EXIT.usage;
  }
  if (sub !== "keygen" || extra.length > 0) {
    throw new SaylauError("cli/usage", `unknown voter command "${[sub, ...extra].join(" ")}"`);
  }
  console.log(toHex(partyKeygen(required(parsed, "dir"), "voter").publicKey));
  return EXIT.ok;
}
