/**
 * The tracking code as a voter keeps it: large and readable, copyable, printable, and as a
 * QR code that opens this node's receipt page for it.
 */
import { fromHex } from "../../src/crypto/bytes.ts";
import { trackingCode } from "../../src/election/tracking-code.ts";
import { h } from "./dom.ts";
import { currentLang, t } from "./i18n.ts";
import { qrSvg } from "./qr.ts";
import { announce } from "./shell.ts";

export function receiptUrl(code: string): string {
  const url = new URL("receipt.html", location.href);
  url.search = new URLSearchParams({ code, lang: currentLang() }).toString();
  return url.toString();
}

export function trackingBlock(ballotIdHex: string): HTMLElement {
  const code = trackingCode(fromHex(ballotIdHex, 32));
  return h(
    "div",
    { class: "tracking" },
    h("p", { class: "label", id: "tracking-label" }, t("receipt.tracking_code")),
    h("p", { class: "code-big", id: "tracking-code", "aria-describedby": "tracking-label" }, code),
    qrSvg(receiptUrl(code), t("receipt.qr_label", { code })),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          onclick: (async () => {
            try {
              await navigator.clipboard.writeText(code);
              announce(t("receipt.copied"));
            } catch {
              announce(t("receipt.copy_failed"));
            }
          }) as EventListener,
        },
        t("receipt.copy"),
      ),
      h(
        "button",
        { type: "button", onclick: (() => window.print()) as EventListener },
        t("receipt.print"),
      ),
    ),
  );
}
