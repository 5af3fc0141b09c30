// The per-namespace request-rate window on an injected clock: exact counts, no timing tolerance.
import { describe, expect, test } from "vitest";
import { RateWindow } from "../../src/namespace/rate-window.js";

const RATE = { requests: 10, windowMs: 10_000 };
const T0 = 1_000_000_000_000; // a window boundary (a multiple of 10 s)

describe("RateWindow", () => {
  test("allows exactly `requests` in a window, then says how long to wait", () => {
    const w = new RateWindow();
    for (let i = 0; i < 10; i++) expect(w.hit(RATE, T0 + i)).toBeUndefined();
    expect(w.hit(RATE, T0 + 10)).toBe(10);
    expect(w.hit(RATE, T0 + 9_500)).toBe(1);
  });

  test("the previous window counts by how much of it still overlaps", () => {
    const w = new RateWindow();
    for (let i = 0; i < 10; i++) w.hit(RATE, T0 + i);
    // Halfway into the next window, half of the previous 10 still count: 5 more fit.
    for (let i = 0; i < 5; i++) expect(w.hit(RATE, T0 + 15_000)).toBeUndefined();
    expect(w.hit(RATE, T0 + 15_000)).toBe(5);
    // Two windows later nothing of it is left.
    for (let i = 0; i < 10; i++) expect(w.hit(RATE, T0 + 30_000)).toBeUndefined();
  });

  test("a window of another length starts afresh", () => {
    const w = new RateWindow();
    for (let i = 0; i < 10; i++) w.hit(RATE, T0);
    expect(w.hit({ requests: 1, windowMs: 1_000 }, T0)).toBeUndefined();
    expect(w.hit({ requests: 1, windowMs: 1_000 }, T0)).toBe(1);
  });
});
