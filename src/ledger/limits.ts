/**
 * Hard protocol limits. They bound every decoder, so a hostile peer or client cannot make a
 * node allocate without bound. Changing one changes which blocks are valid: it is a
 * protocol change (docs/PROTOCOL.md lists them).
 */
export const MAX_TX_BYTES = 64 * 1024;
export const MAX_BLOCK_TXS = 4096;
export const MAX_BLOCK_BYTES = 8 * 1024 * 1024;
export const MAX_CREDENTIALS_PER_REGISTER = 2048;
export const MAX_VALIDATORS = 64;
export const MAX_NAME_LENGTH = 200;
