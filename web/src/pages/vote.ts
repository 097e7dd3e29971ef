/**
 * The voter's page: credential, ballot, review, then the ballot is encrypted and signed
 * here (src/ledger/challenge.ts sealBallot, the construction the CLI's ballotTx uses); the
 * node only ever receives the signed ciphertexts. The credential's district (GET
 * /v1/credentials/:key) fixes the ballot: the contests of that district's ballot style. Before casting, the voter may check the
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
import type { CredentialView, ResultsView, TxStatusView } from "../../../src/node/api/service.ts";
import { ApiError, getJson, postBallot } from "../api.ts";
import { ballotContests, districtOf, limitText, scopeText } from "../ballot-style.ts";
import { choicesList } from "../challenge-view.ts";
import { type CodeCheck, checkCode, keyFromCode } from "../code-entry.ts";
import { download, h, readFileBytes } from "../dom.ts";
import { type Election, fetchElection } from "../election.ts";
import { t } from "../i18n.ts";
import { receiptUrl, trackingBlock } from "../receipt-card.ts";
import { type PollsStatus, pollsNotice, pollsStatus, pollsText } from "../schedule-view.ts";
import { Sealer } from "../sealer.ts";
import { announce, focusHeading, startPage } from "../shell.ts";

type Step =
  | "credential"
  | "unlocking"
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
  /** The printed code as typed, and what its check says so far. */
  codeText: "",
  codeCheck: null as CodeCheck | null,
  /** scrypt's progress (0..1) while the code is turned into the key. */
  unlocking: 0,
  error: null as string | null,
  voter: null as Ed25519KeyPair | null,
  election: null as Election | null,
  /** When the polls open and close, shown before the voter signs in. */
  polls: null as PollsStatus | null,
  /** The district the credential is registered to, and whether it already voted. */
  district: null as number | null,
  votedBefore: false,
  choices: [] as number[][],
  limitNotice: null as number | null,
  sealed: null as SealedBallot | null,
  encryptMs: null as number | null,
  /** Time to build the fixed-base tables ahead of sealing (done while the ballot is read). */
  warmMs: null as number | null,
  challenged: null as {
    record: Uint8Array;
    code: string;
    district: number;
    choices: number[][];
  } | null,
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
    "ledger/revoked_credential": "vote.error.revoked",
    "ledger/wrong_phase": "vote.error.wrong_phase",
    "ledger/outside_window": "vote.error.wrong_phase",
    "ledger/not_approved": "polls.setup",
    "ledger/stale_ballot": "vote.error.stale",
    "crypto/bad_seed": "vote.error.bad_seed",
    "mempool/full": "vote.error.busy",
  };
  if (code !== null && known[code] !== undefined) return t(known[code]!);
  if (err instanceof ApiError) return t("error.node_said", { message: err.message });
  if (isSaylauError(err)) return t("error.check_failed", { code: err.code, message: err.message });
  return String(err);
}

/** The election and the polls' times, fetched once the page opens. */
async function loadElection(): Promise<{ election: Election; polls: PollsStatus }> {
  const [election, ledger] = await Promise.all([
    fetchElection(location.origin),
    getJson<ResultsView>(location.origin, "/v1/results"),
  ]);
  const polls = pollsStatus(election.manifest.schedule, ledger, Date.now());
  state.election = election;
  state.polls = polls;
  return { election, polls };
}

async function showSchedule() {
  try {
    await loadElection();
    // Drawn in place: the voter may be typing the key already.
    const slot = document.getElementById("polls-slot");
    if (slot !== null && state.polls !== null) slot.replaceChildren(pollsNotice(state.polls));
  } catch {
    // Said when the voter continues, with the reason.
  }
}

async function useCredential(seedHex: string) {
  const clean = seedHex.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(clean)) {
    state.error = plainError(new ApiError("crypto/bad_seed", "", 0));
    rerender();
    return;
  }
  await useKeyPair(keyPairFromSeed(fromHex(clean, 32)));
}

/** The code from the sealed letter: checked first (typos cost nothing), then unlocked. */
async function useCode(text: string) {
  const check = checkCode(text, false);
  if (check.kind !== "ok") {
    state.codeCheck = check;
    rerender();
    document.getElementById("code")?.focus();
    return;
  }
  state.unlocking = 0;
  go("unlocking");
  try {
    const { election } = await loadElection();
    let shown = 0;
    const voter = await keyFromCode(check.canonical, election.electionId, (fraction) => {
      state.unlocking = fraction;
      const bar = document.getElementById("unlock-progress") as HTMLProgressElement | null;
      if (bar !== null) bar.value = fraction;
      // Said in tenths, so a screen reader is not flooded.
      const tenth = Math.floor(fraction * 10);
      if (tenth > shown) {
        shown = tenth;
        const text = document.getElementById("unlock-status");
        if (text !== null) text.textContent = unlockText();
      }
    });
    await useKeyPair(voter);
  } catch (err) {
    state.step = "credential";
    state.error = plainError(err);
    rerender();
  }
}

function unlockText(): string {
  const pct = new Intl.NumberFormat(document.documentElement.lang, { style: "percent" }).format(
    Math.floor(state.unlocking * 10) / 10,
  );
  return t("vote.code.unlocking_progress", { pct });
}

async function useKeyPair(voter: Ed25519KeyPair) {
  try {
    state.voter = voter;
    const [{ election, polls }, credential] = await Promise.all([
      loadElection(),
      getJson<CredentialView>(location.origin, `/v1/credentials/${toHex(voter.publicKey)}`).catch(
        (err: unknown) => {
          // The node answers 404 node/not_found for a key it has not registered.
          if (err instanceof ApiError && err.code === "node/not_found") {
            throw new ApiError("ledger/unknown_credential", err.message, err.status);
          }
          throw err;
        },
      ),
    ]);
    if (credential.revoked) throw new ApiError("ledger/revoked_credential", "", 0);
    if (polls.kind !== "open") {
      state.step = "credential";
      state.error = pollsText(polls);
      rerender();
      return;
    }
    state.district = credential.district;
    state.votedBefore = credential.ballotId !== null;
    state.choices = ballotContests(election, credential.district).map(({ contest }) =>
      contest.options.map(() => 0),
    );
    go("ballot");
    // The worker builds its fixed-base tables while the voter reads the ballot.
    sealer ??= new Sealer();
    void sealer.init(toHex(election.manifestBytes)).then((a) => {
      state.warmMs = a.ms;
      document.getElementById("main")!.dataset.warmMs = String(Math.round(a.ms));
    });
  } catch (err) {
    state.step = "credential";
    state.error = plainError(err);
    rerender();
  }
}

async function seal() {
  go("sealing");
  const started = performance.now();
  try {
    const answer = await sealer!.seal(
      toHex(state.voter!.seed),
      state.district!,
      state.choices,
      Date.now(),
    );
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
    state.challenged = {
      record,
      code: opened.trackingCode,
      district: opened.district,
      choices: opened.choices,
    };
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
    state.election === null
      ? null
      : h("p", { id: "election-name" }, t("vote.election", { name: state.election.manifest.name })),
    h("div", { id: "polls-slot" }, state.polls === null ? null : pollsNotice(state.polls)),
    errorBox(),
    codeForm(),
    h("h2", { id: "key-title" }, t("vote.credential.key_title")),
    h("p", {}, t("vote.credential.intro")),
    h(
      "form",
      {
        id: "credential-form",
        "aria-labelledby": "key-title",
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
      h("button", { type: "submit" }, t("vote.credential.continue")),
    ),
  ];
}

/** What the check of the code says, under the field (polite: said when it changes). */
function codeFeedback(check: CodeCheck | null): { text: string; cls: string } {
  if (check === null || check.kind === "incomplete") return { text: "", cls: "notice" };
  return check.kind === "ok"
    ? { text: t("vote.code.checks"), cls: "notice ok-text" }
    : { text: check.message, cls: "notice bad-text" };
}

function codeForm(): HTMLElement {
  const invalid = state.codeCheck?.kind === "error";
  const feedback = codeFeedback(state.codeCheck);
  const input = h("input", {
    id: "code",
    type: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    "aria-describedby": "code-hint code-feedback",
    "aria-invalid": invalid ? "true" : null,
    oninput: ((e: Event) => {
      const el = e.target as HTMLInputElement;
      state.codeText = el.value;
      state.codeCheck = checkCode(state.codeText, true);
      const now = codeFeedback(state.codeCheck);
      const out = document.getElementById("code-feedback");
      if (out !== null && out.textContent !== now.text) {
        out.textContent = now.text;
        out.className = now.cls;
      }
      if (state.codeCheck.kind === "error") el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
    }) as EventListener,
  });
  input.value = state.codeText;
  return h(
    "form",
    {
      id: "code-form",
      "aria-labelledby": "code-title",
      onsubmit: ((e: Event) => {
        e.preventDefault();
        void useCode(state.codeText);
      }) as EventListener,
    },
    h("h2", { id: "code-title" }, t("vote.code.title")),
    h(
      "div",
      { class: "field" },
      h("label", { for: "code" }, t("vote.code.label")),
      h("p", { class: "hint", id: "code-hint" }, t("vote.code.hint")),
      input,
      h("p", { id: "code-feedback", class: feedback.cls, role: "status" }, feedback.text),
    ),
    h("button", { type: "submit" }, t("vote.code.continue")),
  );
}

function unlockingStep(): HTMLElement[] {
  return [
    h("h1", {}, t("vote.code.unlocking_title")),
    h("p", {}, t("vote.code.unlocking_intro")),
    h("label", { for: "unlock-progress" }, t("vote.code.unlocking_label")),
    h("progress", { id: "unlock-progress", max: 1, value: state.unlocking }),
    h("p", { id: "unlock-status", role: "status" }, unlockText()),
  ];
}

/** The voter's district and region by name: the ballot is the one of that district. */
function districtLine(): HTMLElement {
  const { district, regionName } = districtOf(state.election!, state.district!);
  return h(
    "p",
    { id: "district", class: "district" },
    t("ballot.district", { district: district.name, region: regionName }),
  );
}

/** One choice (a party list, a single seat): radio buttons, and "leave blank" to undo. */
function singleChoice(i: number, options: readonly string[]): HTMLElement[] {
  const row = state.choices[i]!;
  const pick = (j: number | null) =>
    (() => {
      row.fill(0);
      if (j !== null) row[j] = 1;
    }) as EventListener;
  const radio = (id: string, label: string, checked: boolean, j: number | null) =>
    h(
      "div",
      { class: "option" },
      h("input", { type: "radio", id, name: `contest-${i}`, checked, onchange: pick(j) }),
      h("label", { for: id }, label),
    );
  return [
    ...options.map((option, j) => radio(`c${i}o${j}`, option, row[j] === 1, j)),
    radio(
      `c${i}none`,
      t("vote.ballot.blank"),
      row.every((v) => v === 0),
      null,
    ),
  ];
}

/** Up to `limit` choices (a multi-seat contest): check boxes, a further one refused aloud. */
function multipleChoice(i: number, options: readonly string[], limit: number): HTMLElement[] {
  return options.map((option, j) => {
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
        const notice = document.getElementById(`notice-${i}`);
        if (el.checked && chosen >= limit) {
          el.checked = false;
          const text = t("vote.ballot.too_many", { count: limit });
          announce(text);
          if (notice !== null) notice.textContent = text;
          return;
        }
        row[j] = el.checked ? 1 : 0;
        if (notice !== null) notice.textContent = "";
      }) as EventListener,
    });
    return h("div", { class: "option" }, box, h("label", { for: id }, option));
  });
}

function ballotStep(): (HTMLElement | null)[] {
  const election = state.election!;
  const contests = ballotContests(election, state.district!);
  return [
    h("h1", {}, t("vote.ballot.title")),
    districtLine(),
    state.polls === null ? null : pollsNotice(state.polls),
    state.votedBefore ? h("p", { id: "revote", class: "hint" }, t("vote.ballot.revote")) : null,
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
      contests.map(({ number, contest }, i) =>
        h(
          "fieldset",
          {
            class: "contest",
            "aria-describedby": `limit-${i}`,
            "data-contest": number,
            "data-limit": contest.limit,
          },
          h("legend", {}, contest.label),
          h(
            "p",
            { class: "hint", id: `limit-${i}` },
            `${scopeText(election, number)} ${limitText(contest.limit)}`,
          ),
          contest.limit === 1
            ? singleChoice(i, contest.options)
            : multipleChoice(i, contest.options, contest.limit),
          h("p", { class: "notice", id: `notice-${i}`, role: "status" }),
        ),
      ),
      h("button", { type: "submit" }, t("vote.ballot.review")),
    ),
  ];
}

function reviewStep(): (HTMLElement | null)[] {
  const election = state.election!;
  const under = ballotContests(election, state.district!).filter(
    ({ contest }, i) => state.choices[i]!.reduce((a, b) => a + b, 0) < contest.limit,
  ).length;
  return [
    h("h1", {}, t("vote.review.title")),
    h("p", {}, t("vote.review.intro")),
    choicesList(election, state.district!, state.choices),
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
    choicesList(state.election!, c.district, c.choices),
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
    unlocking: unlockingStep,
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

void startPage("vote", render).then(() => void showSchedule());
