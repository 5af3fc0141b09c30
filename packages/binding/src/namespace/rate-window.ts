/**
 * A request-rate window (docs/contract.md "Limits"): a sliding window estimated from the previous fixed window's
 * count, weighted by how much of it still overlaps, plus the current one's. Pure: the caller
 * passes the time, so it is tested on an injected clock.
 */

/** A limit of `requests` per `windowMs` (limits.ts RateLimit; kept structural so this file imports nothing). */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

export class RateWindow {
  private w: { start: number; windowMs: number; prev: number; count: number } | undefined;

  /** Count one request at `now` (ms): undefined when allowed, else the seconds to wait (at least 1). */
  hit(rate: RateLimit, now: number): number | undefined {
    const start = Math.floor(now / rate.windowMs) * rate.windowMs;
    let w = this.w;
    if (!w || w.start !== start || w.windowMs !== rate.windowMs) {
      w = { start, windowMs: rate.windowMs, prev: w && w.windowMs === rate.windowMs && w.start === start - rate.windowMs ? w.count : 0, count: 0 };
      this.w = w;
    }
    const estimate = w.prev * (1 - (now - start) / rate.windowMs) + w.count;
    if (estimate >= rate.requests) return Math.max(1, Math.ceil((start + rate.windowMs - now) / 1000));
    w.count++;
    return undefined;
  }
}
