/**
 * Keeps docs/PROTOCOL.md's worked example true: its bytes must be what the code produces
 * from the example's seed, must decode under the canonical codecs, and must hash to the
 * values the document states.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { protocolExample } from "../../../scripts/protocol-example.ts";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { verifySignature } from "../../../src/crypto/ed25519.ts";
import { decodeHeader, headerHash } from "../../../src/ledger/block.ts";
import { decodeTransaction, signingMessage, txId } from "../../../src/ledger/transactions.ts";

const doc = readFileSync(join(import.meta.dirname, "../../../docs/PROTOCOL.md"), "utf8");

function block(name: string): Uint8Array {
  const match = doc.match(new RegExp(`\`\`\`hex ${name}\\n([0-9a-f]+)\\n\`\`\``));
  if (match === null) throw new Error(`PROTOCOL.md has no hex block named ${name}`);
  return fromHex(match[1]!);
}

/** The hex value the document states right after `label`. */
function stated(label: string): string {
  const at = doc.indexOf(label);
  if (at < 0) throw new Error(`PROTOCOL.md does not state "${label}"`);
  const match = doc.slice(at).match(/`([0-9a-f]{64})`/);
  return match![1]!;
}

describe("docs/PROTOCOL.md worked example", () => {
  const example = protocolExample();

  it("shows exactly the bytes the code produces", () => {
    expect(toHex(block("genesis-header"))).toBe(example.genesisHeader);
    expect(toHex(block("register-tx"))).toBe(example.registerTx);
    expect(toHex(block("block1-header"))).toBe(example.block1Header);
    expect(stated("- election id:")).toBe(example.electionId);
  });

  it("decodes, and hashes to the stated values", () => {
    const genesis = decodeHeader(block("genesis-header"));
    expect(genesis.height).toBe(0);
    expect(toHex(genesis.electionId)).toBe(stated("- election id:"));
    expect(toHex(headerHash(genesis))).toBe(stated("Its hash"));
    expect(block("genesis-header").length).toBe(225);

    const tx = decodeTransaction(block("register-tx"));
    expect(tx.type).toBe("register");
    expect(toHex(signingMessage(tx))).toBe(stated("- signed message"));
    expect(toHex(txId(block("register-tx")))).toBe(stated("- transaction id"));
    expect(verifySignature(fromHex(stated("- authority key:")), signingMessage(tx), tx.sig)).toBe(
      true,
    );

    const b1 = decodeHeader(block("block1-header"));
    expect(toHex(b1.prevHash)).toBe(stated("Its hash"));
    expect(toHex(b1.logRoot)).toBe(stated("- transaction id"));
    expect(toHex(headerHash(b1))).toBe(stated("- block hash:"));
  });
});
