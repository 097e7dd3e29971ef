/**
 * The registrars' rules: a registration binds new credentials to a district of the
 * registrar's own region; a revocation by the same region's registrar stops a credential
 * counting (its counted ballot leaves the tally). Signatures are checked by the caller.
 */
import { toHex } from "../crypto/bytes.ts";
import { isAcceptablePublicKey } from "../crypto/ed25519-rule.ts";
import { SaylauError } from "../errors.ts";
import { tallySubtract } from "./ballot-crypto.ts";
import { districtAt } from "./geography.ts";
import {
  type CredentialRecord,
  credentialElement,
  type DistrictState,
  type ElectionState,
  newCredentialRecord,
} from "./state.ts";
import type { RegisterTx, RevokeTx } from "./transactions.ts";
import type { TxEnv } from "./tx-env.ts";

function requireBeforeClose(state: ElectionState, what: string): void {
  if (state.phase === "closed") {
    throw new SaylauError("ledger/wrong_phase", `${what} only before the polls close`);
  }
}

export function replaceDistrict(
  state: ElectionState,
  index: number,
  district: DistrictState,
): readonly DistrictState[] {
  const districts = state.districts.slice();
  districts[index] = district;
  return districts;
}

export function applyRegister(env: TxEnv, state: ElectionState, tx: RegisterTx): ElectionState {
  requireBeforeClose(state, "credentials can be registered");
  districtAt(env.ctx.geography, tx.district);
  const inTx = new Set<string>();
  let lattice = state.credentialsLattice;
  for (const c of tx.credentials) {
    const hex = toHex(c);
    // The key rule is checked once, here, so a ballot's signature check can skip it.
    if (!env.preVerified && !isAcceptablePublicKey(c)) {
      throw new SaylauError(
        "ledger/bad_credential",
        `credential ${hex} is not a valid ed25519 key`,
      );
    }
    if (inTx.has(hex) || env.record(hex) !== null) {
      throw new SaylauError(
        "ledger/duplicate_credential",
        `credential ${hex} is already registered`,
      );
    }
    inTx.add(hex);
    const record = newCredentialRecord(tx.district);
    env.write(hex, record);
    lattice = lattice.add(credentialElement(c, record));
  }
  const district = state.districts[tx.district]!;
  return {
    ...state,
    credentials: state.credentials + tx.credentials.length,
    credentialsLattice: lattice,
    districts: replaceDistrict(state, tx.district, {
      ...district,
      credentials: district.credentials + tx.credentials.length,
    }),
  };
}

export function applyRevoke(env: TxEnv, state: ElectionState, tx: RevokeTx): ElectionState {
  requireBeforeClose(state, "credentials can be revoked");
  const { ctx } = env;
  const inTx = new Set<string>();
  let next = state;
  for (const c of tx.credentials) {
    const hex = toHex(c);
    if (inTx.has(hex)) {
      throw new SaylauError("ledger/duplicate_credential", `credential ${hex} is listed twice`);
    }
    inTx.add(hex);
    const current = env.record(hex);
    if (current === null) {
      throw new SaylauError("ledger/unknown_credential", `credential ${hex} is not registered`);
    }
    if (ctx.geography.districts[current.district]!.region !== tx.region) {
      throw new SaylauError(
        "ledger/wrong_region",
        `credential ${hex} was registered in another region`,
      );
    }
    if (current.revoked) {
      throw new SaylauError("ledger/already_revoked", `credential ${hex} is already revoked`);
    }
    const revoked: CredentialRecord = { ...current, revoked: true, contribution: null };
    env.write(hex, revoked);
    const district = next.districts[current.district]!;
    const counted = current.contribution !== null;
    const tally = counted
      ? tallySubtract(ctx.districtCrypto[current.district]!, district.tally, current.contribution!)
      : district.tally;
    next = {
      ...next,
      revoked: next.revoked + 1,
      voters: next.voters - (counted ? 1 : 0),
      credentialsLattice: next.credentialsLattice.replace(
        credentialElement(c, current),
        credentialElement(c, revoked),
      ),
      districts: replaceDistrict(next, current.district, {
        ...district,
        revoked: district.revoked + 1,
        tally,
      }),
    };
  }
  return next;
}
