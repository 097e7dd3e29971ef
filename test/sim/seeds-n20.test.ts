import { describe } from "vitest";
import { seedSuite } from "./seeds.ts";

// N=20: f=6 and q=14, not 2f+1=13.
describe("simulation N=20 (f=6, q=14)", () => seedSuite(20, 1, 100));
