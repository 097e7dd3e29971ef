import { describe } from "vitest";
import { seedSuite } from "./seeds.ts";

describe("simulation N=7 (f=2)", () => seedSuite(7, 1, 300));
