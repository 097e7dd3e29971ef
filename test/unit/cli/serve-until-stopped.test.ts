/** The links `saylau demo --serve` prints survive every tracking code's check character. */
import { describe, expect, it } from "vitest";
import { webAppLines } from "../../../src/cli/serve-until-stopped.ts";

describe("webAppLines", () => {
  it("encodes the tracking code in the receipt link (its check character may be $ or =)", () => {
    const lines = webAppLines(
      ["http://127.0.0.1:8100", "http://127.0.0.1:8101"],
      "P1W2-JBN1-YKQ8-2RNJ-$",
    );
    const link = lines.find((l) => l.includes("receipt.html"))!;
    const url = new URL(link.slice(link.indexOf("http")));
    expect(url.searchParams.get("code")).toBe("P1W2-JBN1-YKQ8-2RNJ-$");
    expect(link).toContain("code=P1W2-JBN1-YKQ8-2RNJ-%24&");
  });
});
