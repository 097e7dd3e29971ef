/**
 * Trustees for tests of the per-party files, without running the key ceremony's commands:
 * each gets its own directory holding only its own signing key (trustee.key, hex seed) and
 * key share (share.cbor), both mode 0600; the public directory gets each trustee's signing
 * public key and the election description (the trustees' commitments and proofs, and the
 * joint key), the `{description, keys}` form of the spec's trustees. The shares come from a
 * key ceremony run in this one process (seededElection, from fresh randomness).
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makePrivateDir, writeSecretFile } from "../../src/cli/secret-file.ts";
import { toHex } from "../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../src/crypto/ed25519.ts";
import { encodeTrusteeSecret } from "../../src/election/ceremony.ts";
import type { Contest } from "../../src/election/description.ts";
import { encodeElectionDescription } from "../../src/election/description.ts";
import { seededElection } from "../../src/election/seeded.ts";

export function dealTrustees(input: {
  readonly trusteesDir: string;
  readonly publicDir: string;
  readonly count: number;
  readonly threshold: number;
  readonly contests: readonly Contest[];
  readonly publicKeyFile: (index: number) => string;
  readonly descriptionFile: string;
}): void {
  const ceremony = seededElection({
    seed: new Uint8Array(randomBytes(32)),
    contests: input.contests,
    threshold: input.threshold,
    trusteeCount: input.count,
  });
  for (const secret of ceremony.secrets) {
    const dir = join(input.trusteesDir, String(secret.index));
    makePrivateDir(dir);
    const signing = keyPairFromSeed(new Uint8Array(randomBytes(32)));
    writeSecretFile(join(dir, "trustee.key"), `${toHex(signing.seed)}\n`);
    writeSecretFile(join(dir, "share.cbor"), encodeTrusteeSecret(secret));
    writeFileSync(join(dir, "trustee.pub"), `${toHex(signing.publicKey)}\n`);
    writeFileSync(
      join(input.publicDir, input.publicKeyFile(secret.index)),
      `${toHex(signing.publicKey)}\n`,
    );
  }
  writeFileSync(
    join(input.publicDir, input.descriptionFile),
    encodeElectionDescription(ceremony.description),
  );
}
