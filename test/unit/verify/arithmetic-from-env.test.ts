import { afterEach, expect, it } from "vitest";
import { publicArithmetic, useArithmetic } from "../../../src/election/public-arithmetic.ts";
import { arithmeticFromEnv } from "../../../src/verify/arithmetic-from-env.ts";

const before = publicArithmetic().name;
const saved = process.env.SAYLAU_ARITHMETIC;
afterEach(() => {
  useArithmetic(before);
  if (saved === undefined) delete process.env.SAYLAU_ARITHMETIC;
  else process.env.SAYLAU_ARITHMETIC = saved;
});

it("SAYLAU_ARITHMETIC selects the verification backend; unset keeps it; other values fail", () => {
  delete process.env.SAYLAU_ARITHMETIC;
  arithmeticFromEnv();
  expect(publicArithmetic().name).toBe(before);
  process.env.SAYLAU_ARITHMETIC = "js";
  arithmeticFromEnv();
  expect(publicArithmetic().name).toBe("js");
  process.env.SAYLAU_ARITHMETIC = "wasm";
  arithmeticFromEnv();
  expect(publicArithmetic().name).toBe("wasm");
  process.env.SAYLAU_ARITHMETIC = "fast";
  expect(() => arithmeticFromEnv()).toThrow(/"js" or "wasm"/);
});
