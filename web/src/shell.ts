/**
 * What every page shares: the locale, <html lang>, the header with the pages and the
 * language switch, a skip link, and one polite live region for screen readers.
 */
import { byId, h } from "./dom.ts";
import {
  chooseLang,
  currentLang,
  LANG_NAMES,
  LANGS,
  type Lang,
  rememberLang,
  setLang,
  t,
} from "./i18n.ts";

export type PageName = "vote" | "receipt" | "board";
const FILES: Record<PageName, string> = {
  vote: "index.html",
  receipt: "receipt.html",
  board: "board.html",
};

/** Says `text` to screen readers without moving focus. */
export function announce(text: string): void {
  const live = byId("live");
  live.textContent = "";
  // A fresh text node after a tick is announced even when the text repeats.
  setTimeout(() => {
    live.textContent = text;
  }, 50);
}

function header(page: PageName, rerender: () => void): HTMLElement {
  const nav = h(
    "nav",
    { "aria-label": t("nav.label") },
    h(
      "ul",
      {},
      (Object.keys(FILES) as PageName[]).map((p) =>
        h(
          "li",
          {},
          h("a", { href: FILES[p], "aria-current": p === page ? "page" : null }, t(`nav.${p}`)),
        ),
      ),
    ),
  );
  const switcher = h(
    "div",
    { class: "langs", role: "group", "aria-label": t("lang.label") },
    LANGS.map((l: Lang) =>
      h(
        "button",
        {
          type: "button",
          lang: l,
          "aria-pressed": l === currentLang() ? "true" : "false",
          onclick: (async () => {
            rememberLang(l);
            const url = new URL(location.href);
            url.searchParams.set("lang", l);
            history.replaceState(null, "", url);
            await setLang(l);
            rerender();
            announce(t("lang.changed"));
          }) as EventListener,
        },
        LANG_NAMES[l],
      ),
    ),
  );
  return h("div", { class: "bar" }, h("p", { class: "brand" }, t("app.name")), nav, switcher);
}

/**
 * Loads the locale, then draws the header and calls `render` into <main>; a language
 * change redraws both, keeping the page's own state (the render function reads it).
 */
export async function startPage(
  page: PageName,
  render: (main: HTMLElement) => void,
): Promise<void> {
  await setLang(chooseLang());
  const draw = () => {
    document.title = `${t(`nav.${page}`)} — ${t("app.name")}`;
    byId("skip").textContent = t("app.skip");
    const top = byId("top");
    top.replaceChildren(header(page, draw));
    const main = byId("main");
    main.replaceChildren();
    render(main);
  };
  draw();
}

/** Moves focus to a new step's heading so keyboard and screen reader users follow along. */
export function focusHeading(container: HTMLElement): void {
  const heading = container.querySelector<HTMLElement>("h1, h2");
  if (heading !== null) {
    heading.tabIndex = -1;
    heading.focus();
  }
}
