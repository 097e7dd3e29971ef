/**
 * The voter's page: credential, ballot, review, then the ballot is encrypted and signed
 * here (src/ledger/challenge.ts sealBallot, the construction the CLI's ballotTx uses); the
 * node only ever receives the signed ciphertexts. Before casting, the voter may check the
 * encrypted ballot (Benaloh challenge): its nonces are revealed, it is opened, and it is
 * thrown away; the next one is encrypted afresh. Only a ballot never shown opened is cast.
 */
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import type { Ed25519KeyPair } from "../../../src/crypto/ed25519.ts";
import { keyPairFromSeed } from "../../../src/crypto/ed25519.ts";
import { trackingCode } from "../../../src/election/tracking-code.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { encodeChallenge, type SealedBallot } from "../../../src/ledger/challenge.ts";
import { txId } from "../../../src/ledger/transactions.ts";
import type { StatusView, TxStatusView } from "../../../src/node/api/service.ts";
import { ApiError, getJson, postBallot } from "../api.ts";
import { choicesList } from "../challenge-view.ts";
import { download, h, readFileBytes } from "../dom.ts";
import { type Election, fetchElection } from "../election.ts";
import { t } from "../i18n.ts";
import { receiptUrl, trackingBlock } from "../receipt-card.ts";
import { Sealer } from "../sealer.ts";
import { announce, focusHeading, startPage } from "../shell.ts";

type Step =
  | "credential"
  | "ballot"
  | "review"
  | "sealing"
  | "sealed"
  | "challenged"
  | "casting"
  | "cast";

let sealer: Sealer | null = null;

const state = {
  step: "credential" as Step,
  seedText: "",
  error: null as string | null,
  voter: null as Ed25519KeyPair | null,
  election: null as Election | null,
  choices: [] as number[][],
  limitNotice: null as number | null,
  sealed: null as SealedBallot | null,
  encryptMs: null as number | null,
  /** Time to build the fixed-base tables ahead of sealing (done while the ballot is read). */
  warmMs: null as number | null,
  challenged: null as { record: Uint8Array; code: string; choices: number[][] } | null,
  castId: null as string | null,
  retries: 0,
  committed: null as number | null,
};

function rerender() {
  const main = document.getElementById("main")!;
  main.replaceChildren();
  render(main);
  focusHeading(main);
}

function go(step: Step) {
  state.step = step;
  state.error = null;
  rerender();
}

function plainError(err: unknown): string {
  const code = err instanceof ApiError || isSaylauError(err) ? err.code : null;
  const known: Record<string, string> = {
    "net/unreachable": "error.unreachable",
    "ledger/unknown_credential": "vote.error.unknown_credential",
    "ledger/wrong_phase": "vote.error.wrong_phase",
    "ledger/stale_ballot": "vote.error.stale",
    "crypto/bad_seed": "vote.error.bad_seed",
    "mempool/full": "vote.error.busy",
  };
  if (code !== null && known[code] !== undefined) return t(known[code]!);
  if (err instanceof ApiError) return t("error.node_said", { message: err.message });
  if (isSaylauError(err)) return t("error.check_failed", { code: err.code, message: err.message });
  return String(err);
}

async function useCredential(seedHex: string) {
  try {
    const clean = seedHex.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(clean)) throw new ApiError("crypto/bad_seed", "", 0);
    const seed = Uint8Array.from(clean.match(/../g)!.map((b) => Number.parseInt(b, 16)));
    state.voter = keyPairFromSeed(seed);
    const [election, status] = await Promise.all([
      fetchElection(location.origin),
      getJson<StatusView>(location.origin, "/v1/status"),
    ]);
    if (status.phase !== "open") throw new ApiError("ledger/wrong_phase", "", 0);
    state.election = election;
    state.choices = election.manifest.election.contests.map((c) => c.options.map(() => 0));
    go("ballot");
    // The worker builds its fixed-base tables while the voter reads the ballot.
    sealer ??= new Sealer();
    void sealer.init(toHex(election.manifestBytes)).then((a) => {
      state.warmMs = a.ms;
      document.getElementById("main")!.dataset.warmMs = String(Math.round(a.ms));
    });
  } catch (err) {
    state.error = plainError(err);
    rerender();
  }
}

async function seal() {
  go("sealing");
  const started = performance.now();
  try {
    const answer = await sealer!.seal(toHex(state.voter!.seed), state.choices, Date.now());
    // What the voter waits for: from the click to the sealed ballot, worker included.
    state.encryptMs = performance.now() - started;
    state.sealed = {
      tx: fromHex(answer.tx),
      nonces: answer.nonces.map((row) => row.map((n) => fromHex(n, 32))),
    };
    state.challenged = null;
    go("sealed");
  } catch (err) {
    state.step = "review";
    state.error = plainError(err);
    rerender();
  }
}

async function challenge() {
  const sealed = state.sealed!;
  state.sealed = null; // spoiled: never cast
  const record = encodeChallenge(sealed);
  try {
    // The very check another device runs: the page opens the record it is about to show.
    const opened = await sealer!.open(toHex(record));
    state.challenged = { record, code: opened.trackingCode, choices: opened.choices };
    go("challenged");
  } catch (err) {
    state.step = "review";
    state.error = plainError(err);
    rerender();
  }
}

async function cast() {
  const sealed = state.sealed!;
  state.sealed = null;
  state.step = "casting";
  state.retries = 0;
  rerender();
  try {
    const outcome = await postBallot(location.origin, sealed.tx, (attempt) => {
      state.retries = attempt;
      announce(t("vote.retrying", { count: attempt }));
      rerender();
    });
    state.castId = outcome.id;
    go("cast");
    void waitCommitted(outcome.id);
  } catch (err) {
    // The same signed ballot may be posted again: keep it for the retry button.
    state.sealed = sealed;
    state.step = "sealed";
    state.error = plainError(err);
    rerender();
  }
}

async function waitCommitted(id: string) {
  for (let i = 0; i < 120 && state.castId === id; i++) {
    try {
      const status = await getJson<TxStatusView>(location.origin, `/v1/ballots/${id}`);
      if (status.status === "committed") {
        state.committed = status.height;
        announce(t("vote.committed", { height: status.height }));
        const main = document.getElementById("main")!;
        main.replaceChildren();
        render(main);
        return;
      }
      if (status.status === "dropped") {
        state.error = t("error.node_said", { message: status.reason.message });
        rerender();
        return;
      }
    } catch {
      // Not there yet, or the connection dropped: ask again.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function errorBox(): HTMLElement | null {
  return state.error === null
    ? null
    : h("p", { class: "error", role: "alert", id: "error" }, state.error);
}

function credentialStep(): (HTMLElement | null)[] {
  const input = h("textarea", {
    id: "seed",
    rows: 2,
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": "seed-hint",
    oninput: ((e: Event) => {
      state.seedText = (e.target as HTMLTextAreaElement).value;
    }) as EventListener,
  });
  input.value = state.seedText;
  const file = h("input", {
    id: "seed-file",
    type: "file",
    onchange: (async () => {
      const bytes = await readFileBytes(file);
      if (bytes !== null) {
        state.seedText = new TextDecoder().decode(bytes).trim();
        input.value = state.seedText;
      }
    }) as EventListener,
  });
  return [
    h("h1", {}, t("vote.credential.title")),
    h("p", {}, t("vote.credential.intro")),
    h(
      "form",
      {
        id: "credential-form",
        onsubmit: ((e: Event) => {
          e.preventDefault();
          void useCredential(state.seedText);
        }) as EventListener,
      },
      h(
        "div",
        { class: "field" },
        h("label", { for: "seed" }, t("vote.credential.seed")),
        h("p", { class: "hint", id: "seed-hint" }, t("vote.credential.seed_hint")),
        input,
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "seed-file" }, t("vote.credential.file")),
        file,
      ),
      errorBox(),
      h("button", { type: "submit" }, t("vote.credential.continue")),
    ),
  ];
}

function ballotStep(): HTMLElement[] {
  const contests = state.election!.manifest.election.contests;
  return [
    h("h1", {}, t("vote.ballot.title")),
    h("p", {}, t("vote.ballot.intro")),
    h(
      "form",
      {
        id: "ballot-form",
        onsubmit: ((e: Event) => {
          e.preventDefault();
          go("review");
        }) as EventListener,
      },
      contests.map((contest, i) =>
        h(
          "fieldset",
          { class: "contest", "aria-describedby": `limit-${i}` },
          h("legend", {}, contest.label),
          h(
            "p",
            { class: "hint", id: `limit-${i}` },
            t("vote.ballot.limit", { count: contest.limit }),
          ),
          contest.options.map((option, j) => {
            const id = `c${i}o${j}`;
            const box = h("input", {
              type: "checkbox",
              id,
              name: `contest-${i}`,
              checked: state.choices[i]![j] === 1,
              onchange: ((e: Event) => {
                const el = e.target as HTMLInputElement;
                const row = state.choices[i]!;
                const chosen = row.reduce((a, b) => a + b, 0);
                if (el.checked && chosen >= contest.limit) {
                  el.checked = false;
                  state.limitNotice = i;
                  announce(t("vote.ballot.too_many", { count: contest.limit }));
                  const notice = document.getElementById(`notice-${i}`);
                  if (notice !== null)
                    notice.textContent = t("vote.ballot.too_many", { count: contest.limit });
                  return;
                }
                row[j] = el.checked ? 1 : 0;
                const notice = document.getElementById(`notice-${i}`);
                if (notice !== null) notice.textContent = "";
              }) as EventListener,
            });
            return h("div", { class: "option" }, box, h("label", { for: id }, option));
          }),
          h("p", { class: "notice", id: `notice-${i}`, role: "status" }),
        ),
      ),
      h("button", { type: "submit" }, t("vote.ballot.review")),
    ),
  ];
}

function reviewStep(): (HTMLElement | null)[] {
  const election = state.election!;
  const under = election.manifest.election.contests.filter(
    (c, i) => state.choices[i]!.reduce((a, b) => a + b, 0) < c.limit,
  ).length;
  return [
    h("h1", {}, t("vote.review.title")),
    h("p", {}, t("vote.review.intro")),
    choicesList(election, state.choices),
    under === 0 ? null : h("p", { class: "hint" }, t("vote.review.undervote", { count: under })),
    errorBox(),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        { type: "button", id: "back", onclick: (() => go("ballot")) as EventListener },
        t("vote.review.change"),
      ),
      h(
        "button",
        {
          type: "button",
          id: "seal",
          class: "primary",
          onclick: (() => void seal()) as EventListener,
        },
        t("vote.review.seal"),
      ),
    ),
  ];
}

function sealedStep(): (HTMLElement | null)[] {
  const sealed = state.sealed!;
  const code = trackingCode(txId(sealed.tx));
  return [
    h("h1", {}, t("vote.sealed.title")),
    h("p", {}, t("vote.sealed.intro")),
    h(
      "p",
      {},
      t("vote.sealed.fingerprint"),
      " ",
      h("strong", { class: "code-big", id: "sealed-code" }, code),
    ),
    h(
      "p",
      { class: "hint", id: "encrypt-time", "data-ms": String(Math.round(state.encryptMs ?? 0)) },
      t("vote.sealed.time", { ms: Math.max(1, Math.round(state.encryptMs ?? 0)) }),
    ),
    h("p", {}, t("vote.sealed.choose")),
    errorBox(),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          id: "cast",
          class: "primary",
          onclick: (() => void cast()) as EventListener,
        },
        t("vote.sealed.cast"),
      ),
      h(
        "button",
        { type: "button", id: "challenge", onclick: (() => void challenge()) as EventListener },
        t("vote.sealed.challenge"),
      ),
    ),
  ];
}

function challengedStep(): HTMLElement[] {
  const c = state.challenged!;
  const hex = toHex(c.record);
  return [
    h("h1", {}, t("vote.challenged.title", { code: c.code })),
    h("p", {}, t("vote.challenged.intro")),
    choicesList(state.election!, c.choices),
    h("p", {}, t("vote.challenged.elsewhere")),
    h(
      "div",
      { class: "field" },
      h("label", { for: "challenge-record" }, t("vote.challenged.record")),
      h("textarea", { id: "challenge-record", readonly: true, rows: 4, spellcheck: "false" }, hex),
    ),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          id: "save-challenge",
          onclick: (() =>
            download(`challenge-${c.code}.cbor`, c.record, "application/cbor")) as EventListener,
        },
        t("vote.challenged.save"),
      ),
      h(
        "button",
        {
          type: "button",
          id: "reseal",
          class: "primary",
          onclick: (() => void seal()) as EventListener,
        },
        t("vote.challenged.again"),
      ),
      h(
        "button",
        { type: "button", id: "change", onclick: (() => go("ballot")) as EventListener },
        t("vote.review.change"),
      ),
    ),
  ];
}

function sealingStep(): HTMLElement[] {
  return [h("h1", {}, t("vote.sealing.title")), h("p", { role: "status" }, t("vote.sealing.wait"))];
}

function castingStep(): HTMLElement[] {
  return [
    h("h1", {}, t("vote.casting.title")),
    h(
      "p",
      { role: "status" },
      state.retries === 0 ? t("vote.casting.wait") : t("vote.retrying", { count: state.retries }),
    ),
  ];
}

function castStep(): (HTMLElement | null)[] {
  const id = state.castId!;
  const code = trackingCode(fromHex(id, 32));
  return [
    h("h1", {}, t("vote.cast.title")),
    h("p", {}, t("vote.cast.intro")),
    trackingBlock(id),
    h(
      "p",
      { role: "status", id: "commit-status" },
      state.committed === null
        ? t("vote.cast.pending")
        : t("vote.committed", { height: state.committed }),
    ),
    errorBox(),
    h("p", {}, h("a", { href: receiptUrl(code), id: "verify-link" }, t("vote.cast.verify"))),
  ];
}

function render(main: HTMLElement) {
  const steps: Record<Step, () => (HTMLElement | null)[]> = {
    credential: credentialStep,
    ballot: ballotStep,
    review: reviewStep,
    sealing: sealingStep,
    sealed: sealedStep,
    challenged: challengedStep,
    casting: castingStep,
    cast: castStep,
  };
  main.dataset.step = state.step;
  main.append(...steps[state.step]().filter((x): x is HTMLElement => x !== null));
}

void startPage("vote", render);
