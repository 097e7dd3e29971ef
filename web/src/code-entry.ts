/**
 * The printed credential code from the voter's sealed letter (src/credential, docs/PROTOCOL.md
 * §15): checked as it is typed (its two check symbols catch any one or two wrong characters
 * before any work), then turned into the voter's key by scrypt with the election id in the
 * salt. scrypt is deliberately slow (64 MiB, seconds on a phone): it runs in noble's async
 * form, which yields to the page every few milliseconds and reports its progress, and its
 * code is fetched only by voters who use a code.
 */
import { CODE_SYMBOLS, parseCode } from "../../src/credential/code.ts";
import type { Ed25519KeyPair } from "../../src/crypto/ed25519.ts";
import { isSaylauError } from "../../src/errors.ts";
import { t } from "./i18n.ts";

export type CodeCheck =
  | { readonly kind: "ok"; readonly canonical: string }
  | { readonly kind: "incomplete" }
  | { readonly kind: "error"; readonly message: string };

/** The voter's mistake in plain words, from src/credential's typed errors. */
export function codeErrorText(err: unknown): string {
  if (isSaylauError(err, "credential/typo")) return t("vote.code.error.typo");
  if (isSaylauError(err, "credential/bad_code")) {
    const position = err.details.position;
    return typeof position === "number"
      ? t("vote.code.error.bad_char", { position })
      : t("vote.code.error.length", { count: CODE_SYMBOLS });
  }
  return isSaylauError(err)
    ? t("error.check_failed", { code: err.code, message: err.message })
    : String(err);
}

/** Checks a code; `whileTyping` treats a code of the wrong length as not an error yet. */
export function checkCode(text: string, whileTyping: boolean): CodeCheck {
  try {
    return { kind: "ok", canonical: parseCode(text) };
  } catch (err) {
    // A wrong length is only a mistake once the voter says the code is complete.
    if (
      whileTyping &&
      isSaylauError(err, "credential/bad_code") &&
      err.details.position === undefined
    ) {
      return { kind: "incomplete" };
    }
    return { kind: "error", message: codeErrorText(err) };
  }
}

/** The key the code stands for in this election; `onProgress` gets 0..1 as scrypt runs. */
export async function keyFromCode(
  code: string,
  electionId: Uint8Array,
  onProgress: (fraction: number) => void,
): Promise<Ed25519KeyPair> {
  const { keyPairFromCodeAsync } = await import("../../src/credential/kdf.ts");
  return keyPairFromCodeAsync(code, electionId, onProgress);
}
