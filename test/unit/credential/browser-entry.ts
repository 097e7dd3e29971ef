/** Bundled for the browser by browser.test.ts: the worked example, computed with browser code. */

import { keyPairFromCode, newVoterKey, parseCode } from "../../../src/credential/index.ts";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";

export function publicKeyOfCode(code: string, electionIdHex: string): string {
  return toHex(keyPairFromCode(code, fromHex(electionIdHex, 32)).publicKey);
}

export function parse(code: string): string {
  return parseCode(code);
}

export function voterKeyFromBytes(seedHex: string): string {
  const seed = fromHex(seedHex, 32);
  return toHex(newVoterKey(() => seed.slice()).publicKey);
}
