/** A least-recently-used map bounded by a byte budget (Map keeps insertion order; re-insert on hit). */
export class LruCache<V> {
  private map = new Map<string, { v: V; n: number }>();
  private bytes = 0;
  constructor(private readonly budget: number) {}

  has(k: string) {
    return this.map.has(k);
  }

  get(k: string): V | undefined {
    const e = this.map.get(k);
    if (!e) return undefined;
    this.map.delete(k);
    this.map.set(k, e);
    return e.v;
  }

  set(k: string, v: V, n: number) {
    if (n > this.budget / 2) return; // one huge object must not flush everything else
    const old = this.map.get(k);
    if (old) {
      this.bytes -= old.n;
      this.map.delete(k);
    }
    this.map.set(k, { v, n });
    this.bytes += n;
    if (this.bytes <= this.budget) return;
    for (const [key, e] of this.map) {
      if (this.bytes <= this.budget) break;
      this.map.delete(key);
      this.bytes -= e.n;
    }
  }
}
