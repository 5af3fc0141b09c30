/**
 * A pull-based reader over a byte stream with a growable window. Both the pkt-line decoder and
 * the pack parser read from it, because a receive-pack body is pkt-lines followed by a pack.
 * `onConsume` sees every byte handed out, so the pack trailer SHA-1 is computed while streaming.
 */
export type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

const INITIAL = 64 * 1024;
/** Windows up to this size grow by doubling; larger ones are sized to the request (see reserve). */
const SMALL = 1024 * 1024;
const SLACK = 64 * 1024;

export class ByteReader {
  private buf = new Uint8Array(INITIAL);
  private start = 0;
  private end = 0;
  private it: AsyncIterator<Uint8Array>;
  private done = false;
  /** Bytes consumed so far (the stream offset of the next unread byte). */
  offset = 0;
  onConsume: ((bytes: Uint8Array) => void) | undefined;

  constructor(src: ByteSource) {
    this.it = toIterator(src);
  }

  get buffered(): number {
    return this.end - this.start;
  }

  /** Bytes allocated for the window (what the reader holds in memory, buffered or not). */
  get capacity(): number {
    return this.buf.length;
  }

  get eof(): boolean {
    return this.done && this.end === this.start;
  }

  /** Ensure at least n bytes are buffered; false if the stream ended first. */
  async fill(n: number): Promise<boolean> {
    const have = this.end - this.start;
    // A large window whose contents have been consumed is let go, so one big object does not pin
    // its window for the rest of the request.
    if (this.buf.length > SMALL && n <= INITIAL / 2 && have <= INITIAL / 2) this.resize(INITIAL);
    if (have >= n) return true;
    this.reserve(n);
    while (this.end - this.start < n) {
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return this.end - this.start >= n;
      }
      this.append(r.value);
    }
    return true;
  }

  /** Read one more chunk from the source into the window; false at end of stream. */
  async more(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    this.append(r.value);
    return true;
  }

  /**
   * Make room for a window of n bytes. A large fill (a big object's zlib stream) gets exactly its size
   * (plus one chunk of slack) in one allocation, rather than doubling past it: a 30 MB object must not
   * cost a 64 MB window inside a 128 MB isolate.
   */
  private reserve(n: number) {
    if (n <= this.buf.length) return;
    this.resize(n <= SMALL ? this.doubled(n) : n + SLACK);
  }

  /** The window size doubled until it holds n (the growth rule for small windows). */
  private doubled(n: number): number {
    let size = this.buf.length;
    while (size < n) size *= 2;
    return size;
  }

  private resize(size: number) {
    const have = this.end - this.start;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(this.start, this.end));
    this.buf = nb;
    this.start = 0;
    this.end = have;
  }

  private append(chunk: Uint8Array) {
    if (chunk.length === 0) return;
    const have = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (have + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
        this.start = 0;
        this.end = have;
      } else {
        // Small windows double; large ones grow by a quarter (still amortised linear, less overshoot).
        const need = have + chunk.length;
        const size = this.buf.length;
        this.resize(size <= SMALL ? this.doubled(need) : Math.max(need + SLACK, Math.ceil(size * 1.25)));
      }
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** A view of everything buffered; valid until the next fill/more. */
  peek(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** Hand out n buffered bytes (a view, valid until the next fill/more). */
  consume(n: number): Uint8Array {
    if (n > this.end - this.start) throw new RangeError("consume past buffered data");
    const v = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    this.offset += n;
    this.onConsume?.(v);
    return v;
  }

  /**
   * Hand out n buffered bytes as memory the caller owns. A large take (a big object's zlib stream)
   * gives away the window itself instead of copying it, and the reader starts a new window with
   * whatever followed: the object is held once, not twice.
   */
  take(n: number): Uint8Array {
    const v = this.consume(n);
    if (n < SMALL || n < this.buf.length / 2) return v.slice();
    this.resize(Math.max(INITIAL, this.end - this.start)); // v keeps the old window; the reader moves on
    return v;
  }

  async readExact(n: number): Promise<Uint8Array | undefined> {
    if (!(await this.fill(n))) return undefined;
    return this.consume(n).slice();
  }

  /** Drain the rest of the source (so the HTTP body is consumed); returns how many bytes were left. */
  async drain(): Promise<number> {
    let n = this.end - this.start;
    this.start = this.end;
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else n += r.value.length;
    }
    return n;
  }

  async cancel(): Promise<void> {
    this.done = true;
    await this.it.return?.();
  }
}

function toIterator(src: ByteSource): AsyncIterator<Uint8Array> {
  if (typeof (src as ReadableStream).getReader === "function") {
    const reader = (src as ReadableStream<Uint8Array>).getReader();
    return {
      next: async () => {
        const r = await reader.read();
        return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
      },
      return: async () => {
        await reader.cancel().catch(() => {});
        return { done: true, value: undefined };
      },
    };
  }
  return (src as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
}
