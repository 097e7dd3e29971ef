/** The polls' state in plain words (polls.ts), times in the election's time zone. */
import { h } from "./dom.ts";
import { formatDateTime, t } from "./i18n.ts";
import type { PollsStatus } from "./polls.ts";

export { type PollsStatus, pollsStatus } from "./polls.ts";

/** The polls' state in one sentence, times in the election's time zone. */
export function pollsText(status: PollsStatus): string {
  const at = (ms: number) => formatDateTime(ms, status.timeZone);
  if (status.kind === "setup") return t("polls.setup");
  if (status.kind === "before") {
    return t("polls.before", { opens: at(status.opensAt), closes: at(status.closesAt) });
  }
  return status.kind === "open"
    ? t("polls.open", { closes: at(status.closesAt) })
    : t("polls.closed", { closes: at(status.closesAt) });
}

/** That sentence, plus the commission's extension when there is one. */
export function pollsNotice(status: PollsStatus): HTMLElement {
  const at = (ms: number) => formatDateTime(ms, status.timeZone);
  return h(
    "div",
    { class: `polls polls-${status.kind}`, id: "polls", "data-polls": status.kind },
    h("p", {}, pollsText(status)),
    status.extendedFrom === null
      ? null
      : h(
          "p",
          { id: "polls-extended" },
          t("polls.extended", { was: at(status.extendedFrom), closes: at(status.closesAt) }),
        ),
    h("p", { class: "hint" }, t("polls.zone", { zone: status.timeZone })),
  );
}
