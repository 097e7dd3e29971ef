/**
 * `saylau demo --serve`: after the demo, the validators keep running so a person can open
 * the web app; the command waits for Ctrl-C (SIGINT) or SIGTERM and then returns, letting
 * the caller stop the validators cleanly.
 */
export function webAppLines(urls: readonly string[], trackingCode: string): string[] {
  const [first, ...others] = urls;
  return [
    `The web app is served by every validator: ${first}/`,
    `  check the demo's receipt: ${first}/receipt.html?code=${trackingCode}&against=${encodeURIComponent(others[0] ?? first!)}`,
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
