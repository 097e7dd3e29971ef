/** Voter credentials: keys voters make themselves, and printed codes for voters without a device. */
export {
  CODE_ALPHABET,
  CODE_ENTROPY_BITS,
  CODE_SYMBOLS,
  encodeCode,
  formatCode,
  newPrintedCode,
  parseCode,
  type Rng,
} from "./code.ts";
export {
  CREDENTIAL_SALT_PREFIX,
  keyPairFromCode,
  keyPairFromCodeAsync,
  SCRYPT_PARAMS,
  seedFromCode,
  seedFromCodeAsync,
} from "./kdf.ts";
export { newVoterKey } from "./voter-key.ts";
