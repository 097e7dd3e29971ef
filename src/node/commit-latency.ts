/**
 * Commit latency: from the moment this node admitted a transaction to the moment it committed
 * it. Admission notes the time, the commit path observes the difference; transactions this
 * node did not admit itself (they came in a block) are not measured.
 */
import type { NodeMetrics } from "./metrics.ts";

export class CommitLatency {
  readonly #admittedAt = new Map<string, number>();
  readonly #metrics: NodeMetrics;

  constructor(metrics: NodeMetrics) {
    this.#metrics = metrics;
  }

  admitted(id: string): void {
    this.#admittedAt.set(id, performance.now());
  }

  committed(ids: readonly string[]): void {
    const now = performance.now();
    for (const id of ids) {
      const at = this.#admittedAt.get(id);
      if (at !== undefined) {
        this.#metrics.commitLatency.observe((now - at) / 1000);
        this.#admittedAt.delete(id);
      }
    }
  }
}
