/**
 * The one place where error codes become HTTP statuses. Every error the API returns is
 * `{ error: { code, message } }` with a stable code; anything without a known code is a 500
 * whose details stay in the log.
 */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  "api/malformed_json": 400,
  "api/invalid_request": 400,
  "api/bad_url": 400,
  "api/malformed_request": 400,
  "api/unsupported_media_type": 415,
  "api/body_too_large": 413,
  "api/header_too_large": 431,
  "api/request_timeout": 408,
  "api/expectation_failed": 417,
  "api/not_found": 404,
  "api/rate_limited": 429,
  "api/internal": 500,
  "codec/bad_hex": 400,
  "codec/malformed": 400,
  "codec/non_canonical": 400,
  "codec/float": 400,
  "codec/too_large": 413,
  "codec/too_deep": 400,
  "codec/invalid_field": 400,
  "codec/unsupported": 400,
  "ledger/bad_signature": 422,
  "ledger/unknown_credential": 422,
  "ledger/wrong_phase": 409,
  "ledger/wrong_election": 422,
  "ledger/stale_ballot": 409,
  "ledger/duplicate_credential": 409,
  "ledger/duplicate_share": 409,
  "ledger/already_tallied": 409,
  "ledger/unknown_trustee": 422,
  "ledger/duplicate_tx": 409,
  // Manifest v2: the commission, the schedule, registrars, districts and ballot styles.
  // A rule the transaction breaks whatever the ledger holds is 422; a refusal because of
  // where the election stands (not yet approved, outside the polling window, already done)
  // is 409, as ledger/wrong_phase is.
  "ledger/not_approved": 409,
  "ledger/outside_window": 409,
  "ledger/polls_closed": 409,
  "ledger/already_approved": 409,
  "ledger/already_revoked": 409,
  "ledger/revoked_credential": 409,
  "ledger/not_an_extension": 409,
  "ledger/wrong_registrar": 422,
  "ledger/wrong_region": 422,
  "ledger/wrong_district": 422,
  "ledger/wrong_style": 422,
  "ledger/unknown_district": 422,
  "ledger/unknown_region": 422,
  "ledger/unknown_member": 422,
  "ledger/repeated_signer": 422,
  "ledger/unordered_signatures": 422,
  "ledger/too_few_signatures": 422,
  "ledger/bad_schedule": 422,
  "election/bad_style": 422,
  // A manifest that breaks a rule (src/ledger/manifest.ts, geography.ts): no route takes a
  // manifest today, so these name what a request carrying one would be refused with.
  "manifest/version": 422,
  "manifest/trustee_mismatch": 422,
  "manifest/bad_key": 422,
  "manifest/duplicate_key": 422,
  "manifest/bad_commission": 422,
  "manifest/bad_schedule": 422,
  "manifest/duplicate_id": 422,
  "manifest/too_many_districts": 422,
  "manifest/bad_scope": 422,
  "manifest/empty_style": 422,
  "election/bad_proof": 422,
  "election/bad_point": 422,
  "election/bad_scalar": 422,
  "election/wrong_shape": 422,
  "election/bad_share": 422,
  "election/unknown_trustee": 422,
  "mempool/full": 503,
  "mempool/duplicate": 409,
  "node/not_ready": 503,
  "node/overloaded": 503,
  "node/not_found": 404,
  "node/not_committed": 404,
  "election/bad_tracking_code": 400,
  "store/bad_range": 400,
  /** A state-synced validator holds nothing below its snapshot (410: ask another one). */
  "node/pruned": 410,
  "store/pruned": 410,
  /** The snapshot asked for by height is no longer the one served: fetch its manifest again. */
  "snapshot/stale": 409,
  /** This node's own stored data is damaged: never the client's fault. */
  "store/corrupt": 500,
  /** GET / on a node whose web app is not built (web-app.ts answers it itself). */
  "api/web_not_built": 503,
};

export function statusForCode(code: string): number {
  const exact = STATUS_BY_CODE[code];
  if (exact !== undefined) return exact;
  // Unlisted election/ledger rule violations are still the client's fault.
  if (code.startsWith("election/") || code.startsWith("ledger/") || code.startsWith("manifest/")) {
    return 422;
  }
  if (code.startsWith("codec/")) return 400;
  return 500;
}
