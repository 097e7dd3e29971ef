/**
 * Election geography: the manifest's regions and districts flattened into one district
 * order, and each district's ballot style: the election-wide indices of the contests whose
 * scope contains it, in increasing order. A credential is registered to one district, which
 * fixes the contests its ballots carry and the tally they are counted in.
 */
import { SaylauError } from "../errors.ts";

interface GeographyInput {
  readonly regions: readonly {
    readonly id: string;
    readonly name: string;
    readonly districts: readonly { readonly id: string; readonly name: string }[];
  }[];
  readonly scopes: readonly { readonly level: string; readonly index: number }[];
}

export interface DistrictInfo {
  /** Position in the district order: what transactions and the state name it by. */
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly region: number;
  /** Election-wide contest indices on this district's ballots, increasing. */
  readonly style: readonly number[];
}

export interface Geography {
  readonly districts: readonly DistrictInfo[];
  /** Per region, the indices of its districts. */
  readonly regionDistricts: readonly (readonly number[])[];
}

export function geographyOf(input: GeographyInput): Geography {
  const districts: DistrictInfo[] = [];
  const regionDistricts: number[][] = [];
  input.regions.forEach((region, r) => {
    const own: number[] = [];
    for (const d of region.districts) {
      const index = districts.length;
      own.push(index);
      const style = input.scopes.flatMap((scope, contest) =>
        scope.level === "national" ||
        (scope.level === "region" && scope.index === r) ||
        (scope.level === "district" && scope.index === index)
          ? [contest]
          : [],
      );
      if (style.length === 0) {
        throw new SaylauError(
          "manifest/empty_style",
          `district ${d.id} has no contest on its ballot`,
          { district: index },
        );
      }
      districts.push({ index, id: d.id, name: d.name, region: r, style });
    }
    regionDistricts.push(own);
  });
  return { districts, regionDistricts };
}

/** The district, or `ledger/unknown_district`. */
export function districtAt(geography: Geography, index: number): DistrictInfo {
  const d = geography.districts[index];
  if (d === undefined) {
    throw new SaylauError("ledger/unknown_district", `there is no district ${index}`, {
      district: index,
    });
  }
  return d;
}
