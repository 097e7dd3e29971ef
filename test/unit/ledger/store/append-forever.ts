/**
 * Child process for the crash test: opens (or creates) a store and appends blocks of
 * deterministic transactions until it is killed, printing each committed height.
 * Usage: node append-forever.ts <dir>
 */
import { LedgerStore } from "../../../../src/ledger/store/ledger-store.ts";
import { type RawTip, rawGenesis, rawNext, rawTx } from "../../../support/raw-chain.ts";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: append-forever.ts <dir>");
const store = await LedgerStore.open(dir);
let tip: RawTip;
if (!store.initialized) {
  const genesis = rawGenesis();
  await store.initialize(new Uint8Array([1, 2, 3]), genesis.block, new Uint8Array([0]));
  tip = genesis.tip;
} else {
  const head = store.head();
  tip = { header: head.header, hash: head.hash, frontier: store.frontier() };
}
for (;;) {
  const h = tip.header.height + 1;
  const txs = Array.from({ length: 1 + (h % 7) * 5 }, (_, i) => rawTx("crash", h * 1000 + i));
  const next = rawNext(tip, txs);
  await store.append({
    block: next.block,
    certificate: Uint8Array.of(h % 256),
    state: Uint8Array.of(h % 256),
    credentialWrites: [],
  });
  tip = next.tip;
  process.stdout.write(`${h}\n`);
}
