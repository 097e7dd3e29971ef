/** Submitting a signed transaction to a validator and waiting until it is committed. */
import { toHex } from "../crypto/bytes.ts";
import { isSaylauError, SaylauError } from "../errors.ts";
import type { SubmitResult, TxStatusView } from "../node/api/service.ts";
import { apiRequest } from "./http-client.ts";

/** Wait until a submitted transaction is committed (or time runs out). */
export async function waitCommitted(
  node: string,
  id: string,
  timeoutMs = 120_000,
): Promise<TxStatusView> {
  const end = Date.now() + timeoutMs;
  let notFound = 0;
  for (;;) {
    let status: TxStatusView;
    try {
      status = await apiRequest<TxStatusView>(node, `/v1/transactions/${id}`);
    } catch (err) {
      // A validator looks in its committed index, then its pool: a transaction committed
      // between the two looks is in neither for that one answer. Ask again, a few times.
      if (!isSaylauError(err, "node/not_found") || ++notFound > 10) throw err;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    if (status.status === "committed") return status;
    if (status.status === "dropped") {
      throw new SaylauError(
        status.reason.code,
        `transaction ${id} was not committed: ${status.reason.message}`,
      );
    }
    if (Date.now() > end)
      throw new SaylauError(
        "cli/timeout",
        `transaction ${id} not committed after ${timeoutMs / 1000} s`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function submitTx(node: string, tx: Uint8Array, wait: boolean): Promise<SubmitResult> {
  const result = await apiRequest<SubmitResult>(node, "/v1/transactions", { tx: toHex(tx) });
  if (wait) await waitCommitted(node, result.id);
  return result;
}
