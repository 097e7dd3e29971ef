import { describe } from "vitest";
import { seedSuite } from "./seeds.ts";

describe("simulation N=4 (f=1), first half", () => seedSuite(4, 1, 300));
