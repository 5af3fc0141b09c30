/**
 * The limits each surface enforces when their variables are unset: the contract's documented
 * values (docs/contract.md "Limits"). test/e2e/limits.test.ts shows each value being enforced; a real burst of 2,000
 * requests cannot be timed reliably on a loaded machine, so the defaults are checked here.
 */
import { describe, expect, it } from "vitest";
import { gitBodyLimit, rateVar } from "../../src/limits.js";

describe("default limits", () => {
  it("rates are on by default at 2,000 requests per 10 s; off or 0 turns one off; a bad value is the default", () => {
    for (const v of [undefined, "", " ", "not a rate"]) expect(rateVar(v), String(v)).toEqual({ requests: 2000, windowMs: 10_000 });
    expect(rateVar("5/60")).toEqual({ requests: 5, windowMs: 60_000 });
    expect(rateVar("off")).toBeUndefined();
    expect(rateVar("0")).toBeUndefined();
  });

  it("the Git request body limit is 256 MiB by default", () => {
    expect(gitBodyLimit({} as never)).toBe(256 * 1024 * 1024);
    expect(gitBodyLimit({ MAX_GIT_BODY_BYTES: "400000" } as never)).toBe(400000);
  });
});
