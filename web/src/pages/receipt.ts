/**
 * The receipt page: fetch a receipt by tracking code from any node (or open a saved file,
 * offline), verify it in the browser against the manifest, cross-check a second node, and
 * check a challenged ballot. Every check is src/receipt's or src/ledger/challenge.ts's.
 */
import { fromHex, toHex } from "../../../src/crypto/bytes.ts";
import { isSaylauError } from "../../../src/errors.ts";
import { openChallenge } from "../../../src/ledger/challenge.ts";
import type { ReceiptView } from "../../../src/node/api/service.ts";
import { ApiError, getJson, nodeUrl } from "../api.ts";
import { choicesList } from "../challenge-view.ts";
import { download, h, readFileBytes } from "../dom.ts";
import { type Election, electionFromManifest, fetchElection } from "../election.ts";
import { t } from "../i18n.ts";
import { trackingBlock } from "../receipt-card.ts";
import { checkReceipt, type ReceiptVerdict } from "../receipt-check.ts";
import { announce, focusHeading, startPage } from "../shell.ts";

const AGAINST_KEY = "saylau.against";
const query = new URLSearchParams(location.search);

const state = {
  code: query.get("code") ?? "",
  node: query.get("node") ?? location.origin,
  against: query.get("against") ?? safeGet(AGAINST_KEY) ?? "",
  busy: false,
  verdict: null as ReceiptVerdict | null,
  receiptBytes: null as Uint8Array | null,
  election: null as Election | null,
  error: null as string | null,
  challenge: null as
    | { ok: true; code: string; election: Election; district: number; choices: number[][] }
    | { ok: false; message: string }
    | null,
};

function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === "net/unreachable") return t("error.unreachable");
    if (err.code === "node/not_found") return t("receipt.error.not_found");
    if (err.code === "node/not_committed") return t("receipt.error.pending");
    if (err.code === "election/bad_tracking_code") return t("receipt.error.bad_code");
    return t("error.node_said", { message: err.message });
  }
  if (isSaylauError(err)) return t("error.check_failed", { code: err.code, message: err.message });
  return String(err);
}

async function runCheck(manifest: Uint8Array, receipt: Uint8Array, online: boolean) {
  state.election = electionFromManifest(manifest);
  state.receiptBytes = receipt;
  state.verdict = await checkReceipt({
    manifest,
    receipt,
    against: online && state.against.trim() !== "" ? nodeUrl(state.against) : null,
    statusFrom: online ? nodeUrl(state.node) : null,
  });
}

async function checkByCode(rerender: () => void) {
  state.busy = true;
  state.error = null;
  state.verdict = null;
  rerender();
  announce(t("receipt.checking"));
  try {
    const node = nodeUrl(state.node);
    const election = await fetchElection(node);
    const view = await getJson<ReceiptView>(
      node,
      `/v1/ballots/${encodeURIComponent(state.code.trim())}/receipt`,
    );
    await runCheck(election.manifestBytes, fromHex(view.receipt), true);
  } catch (err) {
    state.error = errorText(err);
  }
  state.busy = false;
  rerender();
}

async function checkFiles(form: HTMLFormElement, rerender: () => void) {
  state.busy = true;
  state.error = null;
  state.verdict = null;
  rerender();
  try {
    const receipt = await readFileBytes(form.querySelector<HTMLInputElement>("#receipt-file")!);
    const manifestFile = await readFileBytes(
      form.querySelector<HTMLInputElement>("#manifest-file")!,
    );
    if (receipt === null) throw new Error(t("receipt.error.no_file"));
    const manifest = manifestFile ?? (await fetchElection(nodeUrl(state.node))).manifestBytes;
    await runCheck(manifest, receipt, false);
  } catch (err) {
    state.error =
      err instanceof Error && !isSaylauError(err) && !(err instanceof ApiError)
        ? err.message
        : errorText(err);
  }
  state.busy = false;
  rerender();
}

async function checkChallenge(text: string, file: Uint8Array | null, rerender: () => void) {
  try {
    const record = file ?? fromHex(text.replace(/\s+/g, "").toLowerCase());
    const election = state.election ?? (await fetchElection(nodeUrl(state.node)));
    const opened = openChallenge(election, record);
    state.challenge = {
      ok: true,
      code: opened.trackingCode,
      election,
      district: opened.district,
      choices: opened.choices.map((r) => [...r]),
    };
  } catch (err) {
    state.challenge = { ok: false, message: errorText(err) };
  }
  rerender();
}

function field(id: string, label: string, input: HTMLElement, hint?: string): HTMLElement {
  if (hint !== undefined) input.setAttribute("aria-describedby", `${id}-hint`);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint === undefined ? null : h("p", { class: "hint", id: `${id}-hint` }, hint),
    input,
  );
}

function verdictView(verdict: ReceiptVerdict, election: Election): HTMLElement {
  const receipt = verdict.receipt;
  const marks = { ok: "✓", failed: "✗", skipped: "–" } as const;
  return h(
    "section",
    {
      class: `verdict ${verdict.ok ? "good" : "bad"}`,
      "aria-labelledby": "verdict-title",
      id: "verdict",
    },
    h(
      "h2",
      { id: "verdict-title" },
      verdict.ok ? t("receipt.verdict.ok") : t("receipt.verdict.failed"),
    ),
    h(
      "p",
      {},
      t("receipt.election", { name: election.manifest.name, fingerprint: election.fingerprint }),
    ),
    h(
      "ul",
      { class: "steps" },
      verdict.steps.map((s) =>
        h(
          "li",
          { class: `step ${s.state}`, "data-step": s.step, "data-state": s.state },
          h("span", { "aria-hidden": "true", class: "mark" }, marks[s.state]),
          h("strong", {}, t(`receipt.state.${s.state}`)),
          " ",
          t(s.key, s.params),
          s.code === undefined ? null : h("span", { class: "code" }, ` (${s.code})`),
        ),
      ),
    ),
    h("p", {}, t("receipt.meaning")),
    receipt === null
      ? null
      : h(
          "div",
          { class: "actions" },
          trackingBlock(toHex(receipt.ballotId)),
          h(
            "button",
            {
              type: "button",
              onclick: (() =>
                download(
                  `receipt-${toHex(receipt.ballotId).slice(0, 16)}.cbor`,
                  state.receiptBytes!,
                  "application/cbor",
                )) as EventListener,
            },
            t("receipt.save"),
          ),
          h(
            "button",
            {
              type: "button",
              onclick: (() =>
                download(
                  "manifest.cbor",
                  election.manifestBytes,
                  "application/cbor",
                )) as EventListener,
            },
            t("receipt.save_manifest"),
          ),
        ),
  );
}

function render(main: HTMLElement, rerender: () => void) {
  const codeInput = h("input", {
    id: "code",
    name: "code",
    value: state.code,
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "code-hint",
    oninput: ((e: Event) => {
      state.code = (e.target as HTMLInputElement).value;
    }) as EventListener,
  });
  const nodeInput = h("input", {
    id: "node",
    type: "url",
    value: state.node,
    oninput: ((e: Event) => {
      state.node = (e.target as HTMLInputElement).value;
    }) as EventListener,
  });
  const againstInput = h("input", {
    id: "against",
    type: "url",
    value: state.against,
    placeholder: "http://",
    "aria-describedby": "against-hint",
    oninput: ((e: Event) => {
      state.against = (e.target as HTMLInputElement).value;
      try {
        localStorage.setItem(AGAINST_KEY, state.against);
      } catch {}
    }) as EventListener,
  });
  const form = h(
    "form",
    {
      id: "fetch-form",
      onsubmit: ((e: Event) => {
        e.preventDefault();
        void checkByCode(rerender);
      }) as EventListener,
    },
    field("code", t("receipt.code"), codeInput, t("receipt.code_hint")),
    field("node", t("receipt.node"), nodeInput),
    field("against", t("receipt.against"), againstInput, t("receipt.against_hint")),
    h("button", { type: "submit", disabled: state.busy }, t("receipt.check")),
  );
  const fileForm: HTMLFormElement = h(
    "form",
    {
      id: "file-form",
      onsubmit: ((e: Event) => {
        e.preventDefault();
        void checkFiles(fileForm, rerender);
      }) as EventListener,
    },
    h("h2", {}, t("receipt.offline_title")),
    h("p", {}, t("receipt.offline_intro")),
    field(
      "receipt-file",
      t("receipt.file"),
      h("input", { id: "receipt-file", type: "file", accept: ".cbor,application/cbor" }),
    ),
    field(
      "manifest-file",
      t("receipt.manifest_file"),
      h("input", { id: "manifest-file", type: "file", accept: ".cbor,application/cbor" }),
      t("receipt.manifest_hint"),
    ),
    h("button", { type: "submit", disabled: state.busy }, t("receipt.check_file")),
  );
  const challengeText = h("textarea", {
    id: "challenge-text",
    rows: 4,
    spellcheck: "false",
    "aria-describedby": "challenge-text-hint",
  });
  const challengeFile = h("input", { id: "challenge-file", type: "file" });
  const challengeForm = h(
    "form",
    {
      id: "challenge-form",
      onsubmit: (async (e: Event) => {
        e.preventDefault();
        await checkChallenge(challengeText.value, await readFileBytes(challengeFile), rerender);
      }) as EventListener,
    },
    h("h2", { id: "challenge-title" }, t("challenge.check_title")),
    h("p", {}, t("challenge.check_intro")),
    field("challenge-text", t("challenge.paste"), challengeText, t("challenge.paste_hint")),
    field("challenge-file", t("challenge.file"), challengeFile),
    h("button", { type: "submit" }, t("challenge.check")),
  );
  const c = state.challenge;
  const challengeResult =
    c === null
      ? null
      : c.ok
        ? h(
            "section",
            {
              id: "challenge-result",
              class: "verdict good",
              "aria-labelledby": "challenge-result-title",
            },
            h("h3", { id: "challenge-result-title" }, t("challenge.opened", { code: c.code })),
            choicesList(c.election, c.district, c.choices),
            h("p", {}, t("challenge.opened_meaning")),
          )
        : h(
            "section",
            { id: "challenge-result", class: "verdict bad", role: "alert" },
            h("h3", {}, t("challenge.failed")),
            h("p", {}, c.message),
          );

  main.append(
    ...[
      h("h1", {}, t("receipt.title")),
      h("p", {}, t("receipt.intro")),
      form,
      h(
        "div",
        { id: "result", role: "status" },
        state.busy ? h("p", {}, t("receipt.checking")) : null,
        state.error === null ? null : h("p", { class: "error", role: "alert" }, state.error),
      ),
      state.verdict !== null && state.election !== null
        ? verdictView(state.verdict, state.election)
        : null,
      fileForm,
      challengeForm,
      challengeResult,
    ].filter((x): x is HTMLElement => x !== null),
  );
}

let rerender = () => {};
void startPage("receipt", (main) => {
  rerender = () => {
    const m = document.getElementById("main")!;
    const hadVerdict = document.getElementById("verdict") !== null;
    m.replaceChildren();
    render(m, rerender);
    const verdict = document.getElementById("verdict");
    if (verdict !== null && !hadVerdict) {
      focusHeading(verdict);
      announce(document.getElementById("verdict-title")!.textContent ?? "");
    }
  };
  render(main, rerender);
}).then(() => {
  if (state.code !== "") void checkByCode(rerender);
});
