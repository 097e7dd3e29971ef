/**
 * The scan the demo's data directory is checked with (test/support/party-secrets.ts): on a
 * layout of real party directories it finds nothing, and each way of putting a secret where
 * it does not belong is found.
 */
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { partyKeygen } from "../../../src/cli/party-keys.ts";
import { fromHex } from "../../../src/crypto/bytes.ts";
import { decodeTrusteeSecret } from "../../../src/election/ceremony.ts";
import { seededRng } from "../../../src/election/rng.ts";
import { dealTrustees } from "../../support/dealt-trustees.ts";
import { scanPartySecrets } from "../../support/party-secrets.ts";

let root: string;
const rng = seededRng(new Uint8Array(32).fill(7));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "saylau-secrets-"));
  mkdirSync(join(root, "public"));
  partyKeygen(join(root, "commission", "0"), "member", rng, "member passphrase");
  partyKeygen(join(root, "registrars", "ALM"), "registrar", rng);
  partyKeygen(join(root, "validators", "0"), "validator", rng);
  partyKeygen(join(root, "voters", "0"), "voter", rng);
  partyKeygen(join(root, "voters", "1"), "voter", rng);
  dealTrustees({
    trusteesDir: join(root, "trustees"),
    publicDir: join(root, "public"),
    count: 2,
    threshold: 2,
    contests: [{ label: "Mayor", options: ["A", "B"], limit: 1 }],
    publicKeyFile: (i) => `trustee-${i}.pub`,
    descriptionFile: "description.cbor",
  });
  copyFileSync(join(root, "voters", "0", "voter.pub"), join(root, "public", "voter-0.pub"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const seedHex = (path: string) => readFileSync(path, "utf8").trim();

describe("scanPartySecrets", () => {
  it("finds every party and nothing wrong in party directories with public files beside them", () => {
    const scan = scanPartySecrets(root);
    expect(scan.violations).toEqual([]);
    expect(scan.parties.map((p) => p.id).sort()).toEqual([
      "commission/0",
      "registrars/ALM",
      "trustees/1",
      "trustees/2",
      "validators/0",
      "voters/0",
      "voters/1",
    ]);
  });

  it("finds a voter's seed in a public file, in hex of either case and in base64", () => {
    const hex = seedHex(join(root, "voters", "0", "voter.key"));
    for (const spelling of [hex, hex.toUpperCase(), Buffer.from(fromHex(hex)).toString("base64")]) {
      writeFileSync(join(root, "public", "notes.txt"), `key: ${spelling}\n`);
      expect(scanPartySecrets(root).violations).toContain(
        "public/notes.txt holds a secret of voters/0",
      );
    }
  });

  it("finds a trustee's key share, as raw bytes, in another trustee's directory", () => {
    const share = decodeTrusteeSecret(
      new Uint8Array(readFileSync(join(root, "trustees", "1", "share.cbor"))),
    ).share;
    writeFileSync(join(root, "trustees", "2", "backup.bin"), share);
    const { violations } = scanPartySecrets(root);
    expect(violations).toContain("trustees/2/backup.bin holds a secret of trustees/1");
    expect(violations).toContain("trustees/2 holds secrets of 2 parties: trustees/1, trustees/2");
  });

  it("finds one voter's key in another voter's directory and a key file of the wrong role", () => {
    appendFileSync(
      join(root, "voters", "1", "voter.pub"),
      seedHex(join(root, "voters", "0", "voter.key")),
    );
    copyFileSync(
      join(root, "commission", "0", "member.key"),
      join(root, "voters", "1", "member.key"),
    );
    const { violations } = scanPartySecrets(root);
    expect(violations).toContain("voters/1/voter.pub holds a secret of voters/0");
    expect(violations).toContain(
      "voters/1/member.key: a member.key does not belong to a voters party",
    );
    expect(violations).toContain("voters/1/member.key holds a secret of commission/0");
  });

  it("finds a secret file outside every party's directory, and a party without its secret", () => {
    copyFileSync(
      join(root, "registrars", "ALM", "registrar.key"),
      join(root, "public", "registrar.key"),
    );
    rmSync(join(root, "validators", "0", "validator.key"));
    const { violations } = scanPartySecrets(root);
    expect(violations).toContain(
      "public/registrar.key: a secret file outside every party's directory",
    );
    expect(violations).toContain("validators/0 holds no secret file of its role");
  });
});
