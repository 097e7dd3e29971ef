/**
 * A validator's libp2p identity is its manifest ed25519 key, so the connection gater can
 * admit exactly the manifest's validators by peer id, and Noise authenticates each
 * connection to that key.
 */
import { generateKeyPairFromSeed, publicKeyFromRaw } from "@libp2p/crypto/keys";
import type { PeerId, PrivateKey } from "@libp2p/interface";
import { peerIdFromPrivateKey, peerIdFromPublicKey } from "@libp2p/peer-id";

export async function libp2pKeyFromSeed(seed: Uint8Array): Promise<PrivateKey> {
  return generateKeyPairFromSeed("Ed25519", seed);
}

export async function peerIdFromSeed(seed: Uint8Array): Promise<PeerId> {
  return peerIdFromPrivateKey(await libp2pKeyFromSeed(seed));
}

export function peerIdOfValidator(publicKey: Uint8Array): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey));
}
