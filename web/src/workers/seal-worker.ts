/** Runs seal-core.ts off the page's main thread, so the page stays responsive on a slow phone. */
import { handleSeal, type SealAnswer, type SealRequest } from "../seal-core.ts";

self.onmessage = (event: MessageEvent<SealRequest>) => {
  (self as unknown as { postMessage(a: SealAnswer): void }).postMessage(handleSeal(event.data));
};
