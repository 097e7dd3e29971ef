/**
 * Bounded memo tables: a Map iterates in insertion order, so when a new key would take it
 * past its limit, the oldest entry makes room. One helper for every such cache (keys,
 * decodings, credential records, ...), so the eviction rule is written once.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  if (!map.has(key) && map.size >= limit) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
