/**
 * A small national election for ledger tests: 3 regions, 6 districts, a national contest,
 * a regional contest in region 0, a two-seat district contest in district 1 (so three
 * ballot styles at least), a 3-member commission with threshold 2, and a schedule with the
 * polls open from T_OPEN to T_CLOSE.
 */
import { utf8 } from "../../src/crypto/bytes.ts";
import { sha256 } from "../../src/crypto/hash.ts";
import { ledgerContext } from "../../src/ledger/context.ts";
import { createElection } from "../../src/ledger/election-setup.ts";

export const T_CREATED = 1_780_000_000_000;
export const T_OPEN = T_CREATED + 60_000;
export const T_CLOSE = T_OPEN + 3_600_000;

export const NATIONAL_REGIONS = [
  {
    id: "R-A",
    name: "Region A",
    districts: [
      { id: "A-1", name: "A one" },
      { id: "A-2", name: "A two" },
    ],
  },
  {
    id: "R-B",
    name: "Region B",
    districts: [
      { id: "B-1", name: "B one" },
      { id: "B-2", name: "B two" },
    ],
  },
  {
    id: "R-C",
    name: "Region C",
    districts: [
      { id: "C-1", name: "C one" },
      { id: "C-2", name: "C two" },
    ],
  },
];

export const NATIONAL_CONTESTS = [
  { label: "President", options: ["P1", "P2", "P3"], limit: 1 },
  { label: "Regional council A", options: ["Party X", "Party Y"], limit: 1 },
  { label: "Maslikhat A-2", options: ["M1", "M2", "M3", "M4"], limit: 2 },
];

export function nationalElection(voters = 12, seed = "national") {
  const setup = createElection({
    name: "National fixture",
    createdAt: T_CREATED,
    seed: sha256(utf8(seed)),
    validators: 4,
    trustees: 3,
    threshold: 2,
    voters,
    contests: NATIONAL_CONTESTS,
    commission: { members: 3, threshold: 2 },
    schedule: { opensAt: T_OPEN, closesAt: T_CLOSE, timeZone: "Asia/Almaty" },
    regions: NATIONAL_REGIONS,
    scopes: [
      { level: "national", index: 0 },
      { level: "region", index: 0 },
      { level: "district", index: 1 },
    ],
  });
  return { setup, ctx: ledgerContext(setup.manifestBytes) };
}
