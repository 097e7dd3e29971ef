/**
 * How the consensus code signs and checks statements, in a file of its own so that the
 * certificate and evidence codecs can name it without importing the engine's types (which
 * name them in turn).
 */

/** Signs the 32-byte statement hash with this validator's key (ed25519 in production). */
export interface Signer {
  sign(message: Uint8Array): Uint8Array;
}

/** verify(publicKey, message, sig): the pinned ed25519 rule in production. */
export type VerifyFn = (publicKey: Uint8Array, message: Uint8Array, sig: Uint8Array) => boolean;
