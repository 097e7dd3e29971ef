/**
 * Prints the worked example of docs/PROTOCOL.md from a fixed seed. The example in the
 * document is checked by test/unit/docs/protocol-example.test.ts; rerun this script and
 * paste its output when a format changes.
 *   npx node scripts/protocol-example.ts
 */
import { toHex, utf8 } from "../src/crypto/bytes.ts";
import { sha256 } from "../src/crypto/hash.ts";
import { encodeHeader, headerHash } from "../src/ledger/block.ts";
import { ledgerContext } from "../src/ledger/context.ts";
import { createElection } from "../src/ledger/election-setup.ts";
import { MemoryLedger } from "../src/ledger/memory-ledger.ts";
import { encodeState } from "../src/ledger/state.ts";
import { decodeTransaction, signingMessage, txId } from "../src/ledger/transactions.ts";
import { registerTx } from "../src/ledger/tx-builders.ts";

export function protocolExample() {
  const setup = createElection({
    name: "Worked example",
    createdAt: 1_780_000_000_000,
    seed: sha256(utf8("saylau protocol example")),
    validators: 4,
    trustees: 1,
    threshold: 1,
    voters: 1,
    contests: [{ label: "Q", options: ["yes", "no"], limit: 1 }],
  });
  const ctx = ledgerContext(setup.manifestBytes);
  const ledger = new MemoryLedger(ctx);
  const genesis = ledger.tip;
  const register = registerTx(setup.electionId, setup.authority, [setup.voters[0]!.publicKey]);
  const next = ledger.propose([register], 1_780_000_060_000, 1);
  ledger.commit(next.block);
  return {
    manifestSha256: toHex(sha256(setup.manifestBytes)),
    electionId: toHex(setup.electionId),
    authority: toHex(setup.authority.publicKey),
    credential: toHex(setup.voters[0]!.publicKey),
    genesisHeader: toHex(encodeHeader(genesis.header)),
    genesisHash: toHex(genesis.hash),
    genesisState: toHex(encodeState(genesis.state)),
    registerTx: toHex(register),
    registerSigningMessage: toHex(signingMessage(decodeTransaction(register))),
    registerTxId: toHex(txId(register)),
    block1Header: toHex(encodeHeader(next.block.header)),
    block1Hash: toHex(headerHash(next.block.header)),
  };
}

if (import.meta.main) {
  for (const [k, v] of Object.entries(protocolExample())) console.log(`${k}: ${v}`);
}
