import { describe } from "vitest";
import { seedSuite } from "./seeds.ts";

// The same scenarios with production signatures (node:crypto ed25519, the pinned rule).
describe("simulation with real ed25519", () => {
  seedSuite(4, 1, 8, { crypto: "ed25519" });
  seedSuite(7, 1, 4, { crypto: "ed25519" });
  seedSuite(20, 1, 1, { crypto: "ed25519" });
});
