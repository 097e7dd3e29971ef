/**
 * Shows what a challenged ballot decrypts to, contest by contest of its district's ballot
 * style, from the check in src/ledger/challenge.ts. Used by the vote page right after a
 * challenge and by the receipt page to check a challenge on another device.
 */
import type { Choices } from "../../src/election/ballot.ts";
import { ballotContests, districtOf } from "./ballot-style.ts";
import { h } from "./dom.ts";
import type { Election } from "./election.ts";
import { t } from "./i18n.ts";

export function choicesList(election: Election, district: number, choices: Choices): HTMLElement {
  const { district: info, regionName } = districtOf(election, district);
  return h(
    "div",
    { class: "choices-wrap" },
    h("p", {}, t("ballot.district", { district: info.name, region: regionName })),
    h(
      "dl",
      { class: "choices" },
      ballotContests(election, district).flatMap(({ contest }, i) => {
        const picked = contest.options.filter((_, j) => choices[i]?.[j] === 1);
        return [
          h("dt", {}, contest.label),
          h("dd", {}, picked.length === 0 ? t("ballot.none") : picked.join(", ")),
        ];
      }),
    ),
  );
}
