/** Submitting a signed transaction to a validator and waiting until it is committed. */
import { toHex } from "../crypto/bytes.ts";
import { SaylauError } from "../errors.ts";
import type { SubmitResult, TxStatusView } from "../node/api/service.ts";
import { apiRequest } from "./http-client.ts";

/** Wait until a submitted transaction is committed (or time runs out). */
export async function waitCommitted(
  node: string,
  id: string,
  timeoutMs = 120_000,
): Promise<TxStatusView> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const status = await apiRequest<TxStatusView>(node, `/v1/transactions/${id}`);
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
