/**
 * `saylau demo --serve`: the validators keep running so a person can use the web app. First
 * with the polls open and a few voters kept back for that person (Enter then closes the
 * polls), then after the result until Ctrl-C (SIGINT) or SIGTERM, when the caller stops the
 * validators cleanly.
 */
import { createInterface } from "node:readline";

/** Voters the demo leaves for the person at the web app: a few, never most of the roll. */
export function keptBackVoters(voters: number): number {
  return Math.min(5, Math.floor(voters / 4));
}

export function votingLines(urls: readonly string[], voterKeys: readonly string[]): string[] {
  const [first, ...others] = urls;
  return [
    `The polls are open, and the web app is served by every validator: ${first}/`,
    `  vote there with one of these voter keys (demo voters who have not voted yet):`,
    ...voterKeys.map((k) => `    ${k}`),
    `  observer board: ${first}/board.html?nodes=${others.map(encodeURIComponent).join(",")}`,
    "Press Enter to close the polls, decrypt and audit (Ctrl-C stops with the polls open).",
  ];
}

/** Resolves "enter" on a line (or the end) of standard input, or the stop signal. */
export function waitForEnterOrStop(): Promise<"enter" | NodeJS.Signals> {
  return new Promise((resolve) => {
    const input = createInterface({ input: process.stdin });
    const done = (how: "enter" | NodeJS.Signals) => {
      input.close();
      // Standard input is not read again; left open, it would keep the process alive.
      process.stdin.destroy();
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve(how);
    };
    input.once("line", () => done("enter"));
    input.once("close", () => done("enter"));
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}
export function webAppLines(urls: readonly string[], trackingCode: string): string[] {
  const [first, ...others] = urls;
  return [
    `The web app is served by every validator: ${first}/`,
    `  check the demo's receipt: ${first}/receipt.html?code=${encodeURIComponent(trackingCode)}&against=${encodeURIComponent(others[0] ?? first!)}`,
    `  observer board:           ${first}/board.html?nodes=${others.map(encodeURIComponent).join(",")}`,
    "Validators are running; press Ctrl-C to stop them.",
  ];
}

export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve(signal);
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}
