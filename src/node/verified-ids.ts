/**
 * The ids (hex) of transactions whose signature and proofs this node has verified, so that
 * block validation need not check them again. Admission, the re-check of a reloaded pool and
 * proposal validation all add to the one set the node holds.
 */
const VERIFIED_CACHE_LIMIT = 500_000;

/** Adds `id`, first making room by forgetting the oldest id when the set is full. */
export function markVerified(verified: Set<string>, id: string): void {
  if (verified.size >= VERIFIED_CACHE_LIMIT) {
    const oldest = verified.values().next();
    if (!oldest.done) verified.delete(oldest.value);
  }
  verified.add(id);
}
