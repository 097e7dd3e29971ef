/**
 * Hard protocol limits. They bound every decoder, so a hostile peer or client cannot make a
 * node allocate without bound. Changing one changes which blocks are valid: it is a
 * protocol change (docs/PROTOCOL.md lists them).
 */
export const MAX_TX_BYTES = 64 * 1024;
export const MAX_BLOCK_TXS = 4096;
export const MAX_BLOCK_BYTES = 8 * 1024 * 1024;

/**
 * Derived from MAX_TX_BYTES so that a register transaction with the most credentials the codec
 * accepts still fits in a transaction. Its canonical CBOR encoding is a fixed part plus 34
 * bytes per credential (a 2-byte byte-string header and 32 key bytes). The fixed part, for
 * 256..65,535 credentials: map header 1; "type" 5 + "register" 9; "electionId" 11 + 34;
 * "district" 9 + up to 3 (a district index up to 1,023); "credentials" 12 + array header 3;
 * "sig" 4 + 66. A revoke transaction ("region" 7 + at most 2) is smaller, so the same limit
 * fits it. test/unit/ledger/limits.test.ts holds this to the encoder: the maximum fits, one
 * more does not.
 */
const REGISTER_TX_FIXED_BYTES = 1 + 5 + 9 + 11 + 34 + 9 + 3 + 12 + 3 + 4 + 66;
const ENCODED_CREDENTIAL_BYTES = 2 + 32;
export const MAX_CREDENTIALS_PER_REGISTER = Math.floor(
  (MAX_TX_BYTES - REGISTER_TX_FIXED_BYTES) / ENCODED_CREDENTIAL_BYTES,
); // 1,922
export const MAX_VALIDATORS = 64;
export const MAX_NAME_LENGTH = 200;
export const MAX_COMMISSION_MEMBERS = 64;
/** Kazakhstan has 20 regional commissions; room to spare. */
export const MAX_REGIONS = 64;
/** Districts in all regions together (about 200 maslikhat districts nationwide). */
export const MAX_DISTRICTS = 1024;
