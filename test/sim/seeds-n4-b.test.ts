import { describe } from "vitest";
import { seedSuite } from "./seeds.ts";

describe("simulation N=4 (f=1), second half", () => seedSuite(4, 301, 300));
