// The engine core is typed without @types/node or workers-types (docs/conventions.md "Runtime boundaries").
// These are the only two runtime modules it imports; both exist in Node and in
// workerd under `nodejs_compat`. We declare just the surface we use.
declare module "node:zlib" {
  interface ZlibEngine {
    bytesWritten: number;
  }
  interface InflateOptions {
    info?: boolean;
    maxOutputLength?: number;
    finishFlush?: number;
    chunkSize?: number;
  }
  interface DeflateOptions {
    level?: number;
  }
  export function inflateSync(buf: Uint8Array, opts: InflateOptions & { info: true }): { buffer: Uint8Array; engine: ZlibEngine };
  export function inflateSync(buf: Uint8Array, opts?: InflateOptions): Uint8Array;
  export function deflateSync(buf: Uint8Array, opts?: DeflateOptions): Uint8Array;
  export function gunzipSync(buf: Uint8Array, opts?: InflateOptions): Uint8Array;
  interface Transform {
    write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean;
    end(cb?: () => void): void;
    on(event: "data", cb: (chunk: Uint8Array) => void): this;
    on(event: "end" | "close" | "drain", cb: () => void): this;
    on(event: "error", cb: (err: Error) => void): this;
    once(event: "data", cb: (chunk: Uint8Array) => void): this;
    once(event: "end" | "close" | "drain", cb: () => void): this;
    once(event: "error", cb: (err: Error) => void): this;
    destroy(): void;
    bytesWritten: number;
  }
  export function createGunzip(opts?: InflateOptions): Transform;
  export function createInflate(opts?: InflateOptions): Transform;
  export function createDeflate(opts?: DeflateOptions): Transform;
  export const constants: {
    Z_SYNC_FLUSH: number;
    Z_FINISH: number;
  };
}

declare module "node:crypto" {
  interface Hash {
    update(data: Uint8Array): Hash;
    digest(): Uint8Array;
    digest(encoding: "hex"): string;
    copy(): Hash;
  }
  export function createHash(algorithm: "sha1" | "sha256"): Hash;
  export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}
