import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  openSecret,
  passphraseFrom,
  readKeyFile,
  sealSecret,
  writeKeyFile,
} from "../../../src/cli/keystore.ts";
import { decodeCanonical, encodeCanonical } from "../../../src/codec/cbor.ts";
import { concatBytes, toHex, utf8 } from "../../../src/crypto/bytes.ts";
import { TAG, taggedHash } from "../../../src/crypto/hash.ts";
import { isSaylauError } from "../../../src/errors.ts";

const PASS = "a long enough passphrase";
const SECRET = utf8("the secret polynomial, say");
const SALT = new Uint8Array(16).fill(1);
const NONCE = new Uint8Array(12).fill(2);
const sealed = sealSecret("trustee-polynomial", SECRET, PASS, { salt: SALT, nonce: NONCE });
const dir = mkdtempSync(join(tmpdir(), "saylau-keystore-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    if (isSaylauError(err)) return err.code;
    throw err;
  }
  return null;
}
const open = (file: Uint8Array, pass = PASS) =>
  codeOf(() => openSecret("trustee-polynomial", file, pass));

type FileMap = {
  header: Record<string, unknown> & { kdf: Record<string, number> };
  ciphertext: Uint8Array;
  digest: Uint8Array;
};
const decoded = () => decodeCanonical(sealed) as unknown as FileMap;
/** Re-encodes an edited file, with its digest left as it was or recomputed to match. */
function reencode(f: FileMap, fixDigest: boolean): Uint8Array {
  const digest = fixDigest
    ? taggedHash(TAG.keyFile, concatBytes(encodeCanonical(f.header as never), f.ciphertext))
    : f.digest;
  return encodeCanonical({ ...f, digest } as never);
}

describe("a passphrase-encrypted key file", () => {
  it("opens with its passphrase", () => {
    expect(toHex(openSecret("trustee-polynomial", sealed, PASS))).toBe(toHex(SECRET));
  });

  it("a wrong passphrase: keystore/wrong_passphrase", () => {
    expect(open(sealed, "another passphrase")).toBe("keystore/wrong_passphrase");
  });

  it("asked for as another kind of secret: keystore/wrong_kind", () => {
    expect(codeOf(() => openSecret("trustee-share", sealed, PASS))).toBe("keystore/wrong_kind");
  });

  it("salt and nonce are fresh for every file", () => {
    const a = decodeCanonical(sealSecret("trustee-share", SECRET, PASS)) as unknown as FileMap;
    const b = decodeCanonical(sealSecret("trustee-share", SECRET, PASS)) as unknown as FileMap;
    expect(toHex(a.header.salt as Uint8Array)).not.toBe(toHex(b.header.salt as Uint8Array));
    expect(toHex(a.header.nonce as Uint8Array)).not.toBe(toHex(b.header.nonce as Uint8Array));
  });

  const headerEdits: [string, (h: FileMap["header"]) => void][] = [
    [
      "magic",
      (h) => {
        h.magic = "saylau-key-v2";
      },
    ],
    [
      "kind",
      (h) => {
        h.kind = "trustee-share";
      },
    ],
    [
      "kdf.n",
      (h) => {
        h.kdf.n = 16384;
      },
    ],
    [
      "kdf.r",
      (h) => {
        h.kdf.r = 1;
      },
    ],
    [
      "kdf.p",
      (h) => {
        h.kdf.p = 2;
      },
    ],
    [
      "salt",
      (h) => {
        (h.salt as Uint8Array)[0]! ^= 1;
      },
    ],
    [
      "nonce",
      (h) => {
        (h.nonce as Uint8Array)[0]! ^= 1;
      },
    ],
  ];

  it.each(headerEdits)("header field %s changed: keystore/corrupt", (_, edit) => {
    const f = decoded();
    edit(f.header);
    expect(open(reencode(f, false))).toBe("keystore/corrupt");
  });

  it("ciphertext, GCM tag or digest changed: keystore/corrupt", () => {
    for (const at of [0, SECRET.length + 3]) {
      const f = decoded();
      f.ciphertext[at]! ^= 1;
      expect(open(reencode(f, false))).toBe("keystore/corrupt");
    }
    const f = decoded();
    f.digest[5]! ^= 1;
    expect(open(reencode(f, false))).toBe("keystore/corrupt");
  });

  it("every single-byte change anywhere in the file is refused", () => {
    for (let i = 0; i < sealed.length; i++) {
      const bad = Uint8Array.from(sealed);
      bad[i]! ^= 0x40;
      const code = open(bad);
      expect(code, `byte ${i}`).toBe("keystore/corrupt");
    }
  });

  it("an edit that also recomputes the digest is still refused: the header is GCM's associated data", () => {
    const expected: Record<string, string> = {
      magic: "keystore/corrupt", // not version 1
      kind: "keystore/wrong_kind",
      "kdf.n": "keystore/corrupt", // only N=2^15, r=8, p=1
      "kdf.r": "keystore/corrupt",
      "kdf.p": "keystore/corrupt",
      // A new salt derives another key, a new nonce fails the tag: no way to tell these
      // from a wrong passphrase once the digest matches.
      salt: "keystore/wrong_passphrase",
      nonce: "keystore/wrong_passphrase",
    };
    for (const [name, edit] of headerEdits) {
      const f = decoded();
      edit(f.header);
      expect(open(reencode(f, true)), name).toBe(expected[name]);
    }
    // The kind relabelled and asked for under its new label: AAD differs, GCM refuses.
    const f = decoded();
    f.header.kind = "trustee-share";
    expect(codeOf(() => openSecret("trustee-share", reencode(f, true), PASS))).toBe(
      "keystore/wrong_passphrase",
    );
  });

  it("is written with mode 0600 and read back", () => {
    const path = join(dir, "k.key");
    writeKeyFile(path, "trustee-signing-key", SECRET, PASS);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(toHex(readKeyFile(path, "trustee-signing-key", PASS))).toBe(toHex(SECRET));
    expect(codeOf(() => readKeyFile(join(dir, "none.key"), "trustee-signing-key", PASS))).toBe(
      "cli/missing_file",
    );
  });

  it("refuses a passphrase shorter than 8 characters", () => {
    expect(codeOf(() => sealSecret("trustee-share", SECRET, "short"))).toBe(
      "keystore/weak_passphrase",
    );
  });
});

describe("the passphrase comes from a file or the environment, never argv", () => {
  it("--passphrase-file: its first line", () => {
    const path = join(dir, "pass.txt");
    writeFileSync(path, "from the file, line 1\nline 2\n");
    expect(passphraseFrom(path, { SAYLAU_PASSPHRASE: "ignored here" })).toBe(
      "from the file, line 1",
    );
    expect(readFileSync(path, "utf8")).toContain("line 2");
  });
  it("else SAYLAU_PASSPHRASE", () => {
    expect(passphraseFrom(undefined, { SAYLAU_PASSPHRASE: "from the environment" })).toBe(
      "from the environment",
    );
  });
  it("neither: a usage error", () => {
    expect(codeOf(() => passphraseFrom(undefined, {}))).toBe("cli/usage");
  });
});
