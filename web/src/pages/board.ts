/**
 * The observer board: each validator's height and health, blocks as they commit, turnout
 * over time (read from the blocks themselves), evidence of misbehaviour when a node
 * publishes it, the standing of every district (registered, revoked, voted, decrypted) and
 * the results per district, region and in total (src/ledger/results.ts ResultsView), each
 * decrypted district's decryption proofs checked in a Web Worker (tally-worker.ts) against
 * its encrypted tally.
 */
import { verifyEncodedEvidence } from "../../../src/consensus/evidence.ts";
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { verifySignature } from "../../../src/crypto/ed25519.ts";
import { encodeDecryptionShare } from "../../../src/election/decryption.ts";
import { decodeBlock } from "../../../src/ledger/block.ts";
import { decodeTransaction } from "../../../src/ledger/transactions.ts";
import type {
  BlockView,
  ResultsView,
  StatusView,
  TallyView,
} from "../../../src/node/api/service.ts";
import { getJson, nodeUrl } from "../api.ts";
import { lineChart } from "../chart.ts";
import { h } from "../dom.ts";
import { type Election, fetchElection } from "../election.ts";
import { formatDateTime, formatTime, t } from "../i18n.ts";
import { resultsSection } from "../results-view.ts";
import { pollsNotice, pollsStatus } from "../schedule-view.ts";
import { announce, startPage } from "../shell.ts";
import type { TallyAnswer } from "../workers/tally-worker.ts";

const NODES_KEY = "saylau.nodes";
const POLL_MS = 2000;

interface NodeRow {
  url: string;
  status: StatusView | null;
  healthy: boolean | null;
  error: string | null;
}

const state = {
  election: null as Election | null,
  nodes: [] as NodeRow[],
  nodesText: "",
  blocks: [] as { height: number; time: number; txCount: number; proposer: number }[],
  scanned: 0,
  voters: new Set<string>(),
  turnout: [] as { x: number; y: number }[],
  /** Registered and not revoked, as the blocks read so far say. */
  eligible: 0,
  /** Per district, per trustee: the decryption share in the ledger (canonical bytes, hex). */
  shares: new Map<number, Map<number, string>>(),
  results: null as ResultsView | null,
  proof: null as TallyAnswer | null,
  proofFor: "",
  /** Each item the node holds, as its canonical bytes in hex: checked here, not trusted. */
  evidence: null as string[] | null,
  error: null as string | null,
};

function initialNodes(): string[] {
  const asked = new URLSearchParams(location.search).get("nodes");
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(NODES_KEY);
  } catch {}
  const list = (asked ?? stored ?? "").split(/[\s,]+/).filter((s) => s !== "");
  const self = nodeUrl(null);
  return [self, ...list.map((u) => nodeUrl(u)).filter((u) => u !== self)];
}

async function pollNodes() {
  await Promise.all(
    state.nodes.map(async (row) => {
      try {
        row.status = await getJson<StatusView>(row.url, "/v1/status", 3000);
        row.error = null;
      } catch (err) {
        row.status = null;
        row.error = String((err as Error).message ?? err);
      }
      try {
        const res = await fetch(`${row.url}/healthz`, { signal: AbortSignal.timeout(3000) });
        row.healthy = res.ok;
      } catch {
        // No answer in time (or a node too old to send /healthz a CORS header): if it did
        // answer /v1/status, that is all this page can tell about it.
        row.healthy = row.status === null ? false : null;
      }
    }),
  );
}

/** Reads new blocks from this node: turnout (distinct credentials) and decryption shares. */
async function scanBlocks() {
  const self = nodeUrl(null);
  for (;;) {
    const page = await getJson<{ blocks: BlockView[]; next: number | null }>(
      self,
      `/v1/blocks?from=${state.scanned}&limit=100`,
    );
    for (const view of page.blocks) {
      const block = decodeBlock(fromHex(view.block));
      for (const bytes of block.txs) {
        const tx = decodeTransaction(bytes);
        if (tx.type === "register") state.eligible += tx.credentials.length;
        if (tx.type === "ballot") state.voters.add(toHex(tx.credential));
        // A revoked credential may no longer vote, and its counted ballot leaves the tally.
        if (tx.type === "revoke") {
          state.eligible -= tx.credentials.length;
          for (const c of tx.credentials) state.voters.delete(toHex(c));
        }
        if (tx.type === "decryption") {
          const own = state.shares.get(tx.district) ?? new Map<number, string>();
          own.set(tx.share.trustee, toHex(encodeDecryptionShare(tx.share)));
          state.shares.set(tx.district, own);
        }
      }
      if (view.height > 0) {
        state.blocks.push({
          height: view.height,
          time: view.header.time,
          txCount: view.header.txCount,
          proposer: view.header.proposer,
        });
        if (state.eligible > 0) {
          state.turnout.push({ x: view.header.time, y: state.voters.size / state.eligible });
        }
      }
      state.scanned = view.height + 1;
    }
    if (page.next === null || page.blocks.length === 0) break;
  }
  if (state.blocks.length > 200) state.blocks.splice(0, state.blocks.length - 200);
}

let worker: Worker | null = null;
/** Has the worker check every decrypted district's shares against its encrypted tally. */
function checkResults() {
  const results = state.results;
  if (results === null || state.election === null) return;
  const decrypted = results.districts.filter((d) => d.decrypted).map((d) => d.index);
  if (decrypted.length === 0) return;
  const key = decrypted
    .map((d) => `${d}:${[...(state.shares.get(d)?.keys() ?? [])].sort().join(".")}`)
    .join(",");
  if (state.proofFor === key) return;
  state.proofFor = key;
  void getJson<TallyView>(nodeUrl(null), "/v1/tally").then((tally) => {
    worker ??= new Worker(new URL("tally-worker.js", document.baseURI), { type: "module" });
    worker.onmessage = (e: MessageEvent<TallyAnswer>) => {
      state.proof = e.data;
      announce(e.data.ok ? t("board.proof.ok") : t("board.proof.failed"));
      draw();
    };
    worker.postMessage({
      manifest: toHex(state.election!.manifestBytes),
      districts: decrypted.map((index) => ({
        index,
        tally: tally.districts[index]!.tally,
        shares: [...(state.shares.get(index)?.values() ?? [])],
      })),
    });
  });
}

async function tick() {
  try {
    state.election ??= await fetchElection(nodeUrl(null));
    await Promise.all([pollNodes(), scanBlocks()]);
    state.results = await getJson<ResultsView>(nodeUrl(null), "/v1/results");
    try {
      const ev = await getJson<{ evidence: { evidence: string }[] }>(
        nodeUrl(null),
        "/v1/evidence",
        3000,
      );
      state.evidence = Array.isArray(ev.evidence) ? ev.evidence.map((e) => e.evidence) : null;
    } catch {
      state.evidence = null;
    }
    state.error = null;
    checkResults();
  } catch (err) {
    state.error = String((err as Error).message ?? err);
  }
  draw();
  setTimeout(tick, POLL_MS);
}

function validatorsSection(): HTMLElement {
  const names = state.election?.manifest.validators.map((v) => v.name) ?? [];
  const input = h("textarea", {
    id: "nodes",
    rows: 2,
    "aria-describedby": "nodes-hint",
    oninput: ((e: Event) => {
      state.nodesText = (e.target as HTMLTextAreaElement).value;
    }) as EventListener,
  });
  input.value = state.nodesText;
  return h(
    "section",
    { "aria-labelledby": "validators-title" },
    h("h2", { id: "validators-title" }, t("board.validators")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h("caption", { class: "sr-only" }, t("board.validators")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [
              "board.col.validator",
              "board.col.node",
              "board.col.height",
              "board.col.phase",
              "board.col.health",
            ].map((k) => h("th", { scope: "col" }, t(k))),
          ),
        ),
        h(
          "tbody",
          {},
          state.nodes.map((row) =>
            h(
              "tr",
              {},
              h(
                "td",
                {},
                row.status === null
                  ? "?"
                  : (names[row.status.validator] ?? String(row.status.validator)),
              ),
              h("td", {}, row.url),
              h("td", {}, row.status === null ? "—" : String(row.status.height)),
              h("td", {}, row.status === null ? "—" : t(`phase.${row.status.phase}`)),
              h(
                "td",
                {},
                row.healthy === true
                  ? h(
                      "span",
                      { class: "ok-text" },
                      t(row.status?.syncing ? "board.syncing" : "board.healthy"),
                    )
                  : row.healthy === null && row.status !== null
                    ? h("span", {}, t(row.status.syncing ? "board.syncing" : "board.answers"))
                    : h(
                        "span",
                        { class: "bad-text" },
                        row.error === null ? t("board.unhealthy") : t("board.unreachable"),
                      ),
              ),
            ),
          ),
        ),
      ),
    ),
    h(
      "form",
      {
        onsubmit: ((e: Event) => {
          e.preventDefault();
          try {
            localStorage.setItem(NODES_KEY, state.nodesText);
          } catch {}
          const self = nodeUrl(null);
          const list = state.nodesText
            .split(/[\s,]+/)
            .filter((s) => s !== "")
            .map((u) => nodeUrl(u));
          state.nodes = [self, ...list.filter((u) => u !== self)].map((url) => ({
            url,
            status: null,
            healthy: null,
            error: null,
          }));
        }) as EventListener,
      },
      h(
        "div",
        { class: "field" },
        h("label", { for: "nodes" }, t("board.nodes")),
        h("p", { class: "hint", id: "nodes-hint" }, t("board.nodes_hint")),
        input,
      ),
      h("button", { type: "submit" }, t("board.nodes_save")),
    ),
  );
}

function blocksSection(): HTMLElement {
  const names = state.election?.manifest.validators.map((v) => v.name) ?? [];
  const recent = state.blocks.slice(-8).reverse();
  return h(
    "section",
    { "aria-labelledby": "blocks-title" },
    h("h2", { id: "blocks-title" }, t("board.blocks")),
    recent.length === 0
      ? h("p", {}, t("board.no_blocks"))
      : h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ["board.col.height", "board.col.time", "board.col.txs", "board.col.proposer"].map(
                  (k) => h("th", { scope: "col" }, t(k)),
                ),
              ),
            ),
            h(
              "tbody",
              {},
              recent.map((b) =>
                h(
                  "tr",
                  {},
                  h("td", {}, String(b.height)),
                  h("td", {}, formatTime(b.time, zone())),
                  h("td", {}, String(b.txCount)),
                  h("td", {}, names[b.proposer] ?? String(b.proposer)),
                ),
              ),
            ),
          ),
        ),
  );
}

/** The election's time zone (the manifest's schedule), for every time shown. */
function zone(): string {
  return state.election?.manifest.schedule.timeZone ?? "UTC";
}

function turnoutSection(): HTMLElement {
  // The ledger's own numbers: voters whose ballot counts, of the keys not revoked.
  const r = state.results;
  const voters = r?.voters ?? state.voters.size;
  const eligible = r === null ? state.eligible : r.credentials - r.revoked;
  const share = eligible === 0 ? 0 : voters / eligible;
  const pct = new Intl.NumberFormat(document.documentElement.lang, {
    style: "percent",
    maximumFractionDigits: 1,
  }).format(share);
  const summary = t("board.turnout_summary", { count: voters, total: eligible, pct });
  return h(
    "section",
    { "aria-labelledby": "turnout-title" },
    h("h2", { id: "turnout-title" }, t("board.turnout")),
    h("p", { id: "turnout-summary" }, summary),
    lineChart(state.turnout, `${t("board.turnout")}: ${summary}`),
    state.turnout.length > 0
      ? h(
          "p",
          { class: "hint" },
          t("board.since", { time: formatDateTime(state.turnout[0]!.x, zone()) }),
        )
      : null,
  );
}

function evidenceSection(): HTMLElement {
  return h(
    "section",
    { "aria-labelledby": "evidence-title" },
    h("h2", { id: "evidence-title" }, t("board.evidence")),
    state.evidence === null
      ? h("p", {}, t("board.evidence_unavailable"))
      : state.evidence.length === 0
        ? h("p", {}, t("board.evidence_none"))
        : h(
            "ul",
            {},
            state.evidence.map((e) => h("li", {}, evidenceLine(e))),
          ),
  );
}

/**
 * One item of evidence in plain words, after checking it on this device with the consensus
 * code's own rule (both statements signed by the named validator's key from the manifest),
 * so a node cannot accuse a validator falsely.
 */
function evidenceLine(hex: string): string {
  const election = state.election;
  if (election === null) return t("board.evidence_bad");
  try {
    const evidence = verifyEncodedEvidence(
      election.electionId,
      election.manifest.validators.map((v) => v.publicKey),
      fromHex(hex),
      verifySignature,
    );
    return t("board.evidence_item", {
      name: election.manifest.validators[evidence.validator]!.name,
      phase: evidence.phase,
      height: evidence.height,
      view: evidence.view,
    });
  } catch {
    return t("board.evidence_bad");
  }
}

function render(main: HTMLElement) {
  main.append(
    ...[
      h("h1", {}, t("board.title")),
      state.election === null
        ? null
        : h(
            "p",
            {},
            t("receipt.election", {
              name: state.election.manifest.name,
              fingerprint: state.election.fingerprint,
            }),
          ),
      state.election === null || state.results === null
        ? null
        : pollsNotice(pollsStatus(state.election.manifest.schedule, state.results, Date.now())),
      state.error === null
        ? null
        : h("p", { class: "error", role: "alert" }, t("error.node_said", { message: state.error })),
      validatorsSection(),
      blocksSection(),
      turnoutSection(),
      evidenceSection(),
      state.election === null ? null : resultsSection(state.election, state.results, state.proof),
    ].filter((x): x is HTMLElement => x !== null),
  );
}

/** Redraws without losing the keyboard focus or the text being typed. */
function draw() {
  const main = document.getElementById("main")!;
  const focused = document.activeElement?.id;
  main.replaceChildren();
  render(main);
  if (focused) document.getElementById(focused)?.focus();
}

state.nodes = initialNodes().map((url) => ({ url, status: null, healthy: null, error: null }));
state.nodesText = state.nodes
  .slice(1)
  .map((n) => n.url)
  .join("\n");
void startPage("board", render).then(() => void tick());
