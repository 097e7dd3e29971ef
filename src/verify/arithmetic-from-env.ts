/**
 * SAYLAU_ARITHMETIC=js makes this process's verification use the pure-JS backend instead of
 * WebAssembly (src/election/public-arithmetic.ts): for benchmarks that compare the two, and as
 * a fallback switch. Worker threads inherit the environment, so the verification workers
 * (verify-worker.ts) follow the process that started them. Unset or "wasm": the default.
 */
import { type ArithmeticName, useArithmetic } from "../election/public-arithmetic.ts";

export function arithmeticFromEnv(): void {
  const name = process.env.SAYLAU_ARITHMETIC;
  if (name === undefined || name === "") return;
  if (name !== "js" && name !== "wasm") {
    throw new Error(`SAYLAU_ARITHMETIC is "js" or "wasm", not "${name}"`);
  }
  useArithmetic(name as ArithmeticName);
}
