/**
 * The page's side of seal-core.ts: in a module worker (seal-worker.ts), each request
 * answered as a promise; or, where there is no Worker or the page is opened with
 * `?crypto=page`, on the page itself (the same code; the tests measure its time under CPU
 * throttling this way, since Chromium's throttling does not reach workers).
 */
import type { Choices } from "../../src/election/ballot.ts";
import { SaylauError } from "../../src/errors.ts";
import { handleSeal, type SealAnswer, type SealRequest } from "./seal-core.ts";

type Ok<K extends string> = Extract<SealAnswer, { ok: true; kind: K }>;
type RequestBody = SealRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, "id">
    : never
  : never;

export class Sealer {
  readonly #worker: Worker | null;
  readonly #pending = new Map<number, (answer: SealAnswer) => void>();
  #next = 1;

  constructor() {
    const onPage =
      typeof Worker === "undefined" ||
      new URLSearchParams(location.search).get("crypto") === "page";
    this.#worker = onPage
      ? null
      : new Worker(new URL("seal-worker.js", document.baseURI), { type: "module" });
    if (this.#worker !== null) {
      this.#worker.onmessage = (e: MessageEvent<SealAnswer>) => this.#answer(e.data);
    }
  }

  #answer(answer: SealAnswer): void {
    this.#pending.get(answer.id)?.(answer);
    this.#pending.delete(answer.id);
  }

  #ask(body: RequestBody): Promise<SealAnswer & { ok: true }> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (answer) => {
        if (answer.ok) resolve(answer);
        else reject(new SaylauError(answer.code, answer.message));
      });
      const request = { ...body, id } as SealRequest;
      if (this.#worker !== null) this.#worker.postMessage(request);
      // On the page: after the current task, so the page can draw "encrypting" first.
      else setTimeout(() => this.#answer(handleSeal(request)), 0);
    });
  }

  /** Gives the worker the election and has it build its tables. */
  init(manifestHex: string): Promise<Ok<"init">> {
    return this.#ask({ kind: "init", manifest: manifestHex }) as Promise<Ok<"init">>;
  }

  seal(seedHex: string, district: number, choices: Choices, seq: number): Promise<Ok<"seal">> {
    return this.#ask({ kind: "seal", seed: seedHex, district, choices, seq }) as Promise<
      Ok<"seal">
    >;
  }

  open(recordHex: string): Promise<Ok<"open">> {
    return this.#ask({ kind: "open", record: recordHex }) as Promise<Ok<"open">>;
  }
}
