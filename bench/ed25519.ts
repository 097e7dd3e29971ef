/**
 * ed25519 verification: node:crypto (the validators' hot path) against the pure-JS verifier
 * (what a browser runs), same keys and messages, rounds interleaved, in one run.
 *   npx node bench/ed25519.ts
 */
import { table } from "../src/cli/output.ts";
import { utf8 } from "../src/crypto/bytes.ts";
import { generateKeyPair, sign, verifySignature } from "../src/crypto/ed25519.ts";
import { verifyPure } from "../src/crypto/ed25519-rule.ts";

const N = 200;
const keys = Array.from({ length: N }, () => generateKeyPair());
const messages = keys.map((_, i) => utf8(`message ${i}`));
const sigs = keys.map((k, i) => sign(k.seed, messages[i]!));
let bestNode = Number.POSITIVE_INFINITY;
let bestPure = Number.POSITIVE_INFINITY;
for (let round = 0; round < 5; round++) {
  let t = performance.now();
  for (let i = 0; i < N; i++)
    if (!verifySignature(keys[i]!.publicKey, messages[i]!, sigs[i]!)) throw new Error("node");
  bestNode = Math.min(bestNode, (performance.now() - t) / N);
  t = performance.now();
  for (let i = 0; i < N; i++)
    if (!verifyPure(keys[i]!.publicKey, messages[i]!, sigs[i]!)) throw new Error("pure");
  bestPure = Math.min(bestPure, (performance.now() - t) / N);
}
console.log(
  table([
    ["verifier", "us / verification (best of 5 rounds)", "ratio"],
    ["node:crypto (validators)", Number((bestNode * 1000).toFixed(1)), "1.0x"],
    [
      "pure JS (browsers)",
      Number((bestPure * 1000).toFixed(1)),
      `${(bestPure / bestNode).toFixed(1)}x`,
    ],
  ]),
);
